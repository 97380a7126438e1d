import type { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiKeysService, WorkspacesService } from '../libs/identity/src/index.js';
import { AppModule } from './app.module.js';
import type { HostConfig } from './config.js';

/** Builds the demo host app (not yet listening): identity module, Swagger UI at /docs. */
export async function createDemoApp(
  config: HostConfig,
  logger: LogLevel[] | false = ['log', 'warn', 'error'],
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), { logger });
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('nestjs-identity demo host')
      .setDescription('Identity routes at the seeds’ own paths, plus the module’s management routes.')
      .addSecurity('api-key', {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'A workspace API key: "Token idk_…", "Bearer idk_…" or the bare key',
      })
      .addSecurity('user-group-token', {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: 'A user-group embed token: "Token ugt_…" (or ?token= in the URL)',
      })
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}

/**
 * On an empty database, creates a workspace and a write key (or registers IDENTITY_BOOTSTRAP_KEY) and
 * returns the secret so it can be printed once. Returns undefined when a workspace already exists.
 */
export async function bootstrapFirstWorkspace(
  app: INestApplication,
  bootstrapKey?: string,
): Promise<{ workspaceId: string; secret: string; given: boolean } | undefined> {
  const workspaces = app.get(WorkspacesService);
  if ((await workspaces.count()) > 0) {
    return undefined;
  }
  const workspace = await workspaces.create('Default workspace');
  const { secret } = await app
    .get(ApiKeysService)
    .create(workspace.id, { name: 'bootstrap', scope: 'write', secret: bootstrapKey });
  return { workspaceId: workspace.id, secret, given: bootstrapKey !== undefined };
}
