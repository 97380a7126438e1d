import { type DynamicModule, Module, type Provider, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { AuditService } from './audit/audit.service.js';
import {
  BodyErrorShaper,
  IDENTITY_SURFACE_ERRORS,
  type SurfaceErrors,
} from './common/http/body-error-shaper.js';
import {
  MessageExceptionFilter,
  type SurfaceExceptionFilter,
} from './common/http/surface-exception.filter.js';
import { UserGroupsExceptionFilter } from './user-groups/user-groups.exception-filter.js';
import { ApiKeyGuard } from './api-keys/api-key.guard.js';
import { ApiKeyStrategy } from './api-keys/api-key.strategy.js';
import { IdentityEventsPublisher } from './common/events/identity-events.js';
import { mountController } from './common/http/mount-controller.js';
import { InstantColumnsSetup } from './common/persistence/instant-columns.js';
import { MemoryThrottlerStorage } from './common/rate-limit/memory-throttler.storage.js';
import { RateLimiter } from './common/rate-limit/rate-limiter.js';
import { RedisThrottlerStorage } from './common/rate-limit/redis-throttler.storage.js';
import type { InvalidationBus } from './common/tokens/invalidation/invalidation-bus.js';
import { LocalInvalidationBus } from './common/tokens/invalidation/local-invalidation.bus.js';
import { PostgresInvalidationBus } from './common/tokens/invalidation/postgres-invalidation.bus.js';
import { RedisInvalidationBus } from './common/tokens/invalidation/redis-invalidation.bus.js';
import { TokenCache } from './common/tokens/token-cache.js';
import { TokenHasher } from './common/tokens/token-hasher.js';
import { TokenSealer } from './common/tokens/token-sealer.js';
import { UserGroupTokenGuard } from './user-groups/user-group-token.guard.js';
import { UserGroupsController } from './user-groups/user-groups.controller.js';
import { UserGroupsService } from './user-groups/user-groups.service.js';
import {
  IDENTITY_INVALIDATION_BUS,
  IDENTITY_RESOLVED_OPTIONS,
  IDENTITY_THROTTLER_STORAGE,
  type IdentityFeature,
} from './identity.constants.js';
import { IDENTITY_ENTITIES } from './identity.entities.js';
import {
  ConfigurableIdentityModule,
  IDENTITY_ASYNC_OPTIONS_TYPE,
  IDENTITY_MODULE_OPTIONS,
  IDENTITY_OPTIONS_TYPE,
  type IdentityModuleOptions,
  type IdentityPaths,
  resolveIdentityOptions,
  resolveIdentityShape,
  type ResolvedIdentityOptions,
} from './identity.module-definition.js';
import { WorkspacesService } from './workspaces/workspaces.service.js';

/** A surface: its providers (exported to the host) and its controllers with the path option they mount at. */
interface Surface {
  providers: Type[];
  controllers: { controller: Type; path: keyof IdentityPaths; filter: Type<SurfaceExceptionFilter> }[];
}

const SURFACES: Record<IdentityFeature, Surface> = {
  'user-groups': {
    providers: [UserGroupsService, UserGroupTokenGuard],
    controllers: [
      { controller: UserGroupsController, path: 'userGroups', filter: UserGroupsExceptionFilter },
    ],
  },
  'end-users': { providers: [], controllers: [] },
  'external-users': { providers: [], controllers: [] },
  'family-users': { providers: [], controllers: [] },
};

const CORE_PROVIDERS: Type[] = [
  TokenHasher,
  TokenSealer,
  TokenCache,
  AuditService,
  IdentityEventsPublisher,
  RateLimiter,
  WorkspacesService,
  ApiKeysService,
  ApiKeyStrategy,
  ApiKeyGuard,
];

const INFRASTRUCTURE: Provider[] = [
  InstantColumnsSetup,
  {
    provide: IDENTITY_RESOLVED_OPTIONS,
    inject: [IDENTITY_MODULE_OPTIONS],
    useFactory: (options: IdentityModuleOptions) => resolveIdentityOptions(options),
  },
  {
    provide: IDENTITY_INVALIDATION_BUS,
    inject: [IDENTITY_RESOLVED_OPTIONS],
    useFactory: ({ invalidation }: ResolvedIdentityOptions): InvalidationBus => {
      switch (invalidation.driver) {
        case 'postgres':
          return new PostgresInvalidationBus(invalidation.url);
        case 'redis':
          return new RedisInvalidationBus(invalidation.url);
        default:
          return new LocalInvalidationBus();
      }
    },
  },
  {
    provide: IDENTITY_THROTTLER_STORAGE,
    inject: [IDENTITY_RESOLVED_OPTIONS],
    useFactory: ({ redisUrl }: ResolvedIdentityOptions) =>
      redisUrl ? new RedisThrottlerStorage(redisUrl) : new MemoryThrottlerStorage(),
  },
];

/**
 * The identity module: import it once with `forRoot` or `forRootAsync`. It mounts the chosen
 * surfaces' REST routes and exports their services, guards and the token toolkit to the host.
 */
@Module({})
export class IdentityModule extends ConfigurableIdentityModule {
  static override forRoot(options: typeof IDENTITY_OPTIONS_TYPE): DynamicModule {
    return IdentityModule.assemble(super.forRoot(options), options);
  }

  static override forRootAsync(options: typeof IDENTITY_ASYNC_OPTIONS_TYPE): DynamicModule {
    return IdentityModule.assemble(super.forRootAsync(options), options);
  }

  private static assemble(
    definition: DynamicModule,
    extras: Pick<typeof IDENTITY_OPTIONS_TYPE, 'features' | 'paths'>,
  ): DynamicModule {
    const shape = resolveIdentityShape(extras);
    const surfaces = shape.features.map((feature) => SURFACES[feature]);
    const featureProviders = surfaces.flatMap((surface) => surface.providers);
    const mounts = [
      { controller: ApiKeysController, path: 'management' as const, filter: MessageExceptionFilter },
      ...surfaces.flatMap((surface) => surface.controllers),
    ];
    const controllers = mounts.map(({ controller, path }) => mountController(controller, shape.paths[path]));
    const surfaceErrors: SurfaceErrors[] = mounts.map(({ path, filter }) => ({
      path: shape.paths[path].replace(/\/$/, '') || '/',
      filter: new filter(),
    }));
    const providers = [...CORE_PROVIDERS, ...featureProviders];
    return {
      ...definition,
      imports: [...(definition.imports ?? []), TypeOrmModule.forFeature(IDENTITY_ENTITIES)],
      controllers,
      providers: [
        ...(definition.providers ?? []),
        ...INFRASTRUCTURE,
        ...providers,
        { provide: IDENTITY_SURFACE_ERRORS, useValue: surfaceErrors },
        BodyErrorShaper,
      ],
      exports: [...providers, IDENTITY_RESOLVED_OPTIONS],
    };
  }
}
