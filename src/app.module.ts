import { type DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../libs/identity/src/index.js';
import { AssistantController } from './assistant.controller.js';
import { type HostConfig, typeOrmOptions } from './config.js';
import { DashboardsController } from './dashboards.controller.js';
import { EmbedController } from './embed.controller.js';
import { FamilyController } from './family.controller.js';
import { HealthController } from './health.controller.js';
import { WhoamiController, WhoamiUserGroupController } from './whoami.controller.js';

/** The demo host: a NestJS app that imports the identity module the way a user's app would. */
@Module({})
export class AppModule {
  static register(config: HostConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        TypeOrmModule.forRoot(typeOrmOptions(config.database, { logging: config.databaseLogging })),
        EventEmitterModule.forRoot(),
        IdentityModule.forRoot({ ...config.identity, isGlobal: true }),
      ],
      controllers: [
        HealthController,
        WhoamiController,
        WhoamiUserGroupController,
        DashboardsController,
        EmbedController,
        FamilyController,
        AssistantController,
      ],
    };
  }
}
