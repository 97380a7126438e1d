import { type DynamicModule, Module, type Provider } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ApiKeyGuard } from './api-keys/api-key.guard.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { MANAGEMENT_SURFACE } from './api-keys/management.surface.js';
import { AuditService } from './audit/audit.service.js';
import { IdentityEventsPublisher } from './common/events/identity-events.js';
import {
  BodyErrorShaper,
  IDENTITY_SURFACE_ERRORS,
  type SurfaceErrors,
} from './common/http/body-error-shaper.js';
import { mountController, type SurfaceDescriptor } from './common/http/surface.js';
import { SYSTEM_CLOCK } from './common/clock.js';
import { AuthFailureLimiter } from './common/rate-limit/auth-failure-limiter.js';
import { LookupStatementsSetup } from './common/persistence/lookup-statements.setup.js';
import { InstantColumnsSetup } from './common/persistence/instant-columns.js';
import { MemoryThrottlerStorage } from './common/rate-limit/memory-throttler.storage.js';
import { RateLimiter } from './common/rate-limit/rate-limiter.js';
import { RedisThrottlerStorage } from './common/rate-limit/redis-throttler.storage.js';
import { CredentialVerifier } from './common/tokens/credential-verifier.js';
import { DatabaseInvalidationBus } from './common/tokens/invalidation/database-invalidation.bus.js';
import type { InvalidationBus } from './common/tokens/invalidation/invalidation-bus.js';
import { LocalInvalidationBus } from './common/tokens/invalidation/local-invalidation.bus.js';
import { PostgresInvalidationBus } from './common/tokens/invalidation/postgres-invalidation.bus.js';
import { RedisInvalidationBus } from './common/tokens/invalidation/redis-invalidation.bus.js';
import { TokenCache } from './common/tokens/token-cache.js';
import { TokenHasher } from './common/tokens/token-hasher.js';
import { TokenSealer } from './common/tokens/token-sealer.js';
import { EXTERNAL_USERS_SURFACE } from './external-users/external-users.surface.js';
import { END_USERS_SURFACE } from './end-users/end-users.surface.js';
import { USER_GROUPS_SURFACE } from './user-groups/user-groups.surface.js';
import { FAMILY_USERS_SURFACE } from './family-users/family-users.surface.js';
import {
  IDENTITY_CLOCK,
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
  resolveIdentityOptions,
  resolveIdentityShape,
  type ResolvedIdentityOptions,
} from './identity.module-definition.js';
import { WorkspacesService } from './workspaces/workspaces.service.js';

/** The surfaces a host can mount with `features`; each is one folder and one descriptor. */
const SURFACES: Record<IdentityFeature, SurfaceDescriptor | undefined> = {
  'user-groups': USER_GROUPS_SURFACE,
  'end-users': END_USERS_SURFACE,
  'external-users': EXTERNAL_USERS_SURFACE,
  'family-users': FAMILY_USERS_SURFACE,
};

const CORE_PROVIDERS: Provider[] = [
  TokenHasher,
  TokenSealer,
  TokenCache,
  AuthFailureLimiter,
  CredentialVerifier,
  AuditService,
  IdentityEventsPublisher,
  RateLimiter,
  WorkspacesService,
  ApiKeysService,
  ApiKeyGuard,
];

const INFRASTRUCTURE: Provider[] = [
  InstantColumnsSetup,
  LookupStatementsSetup,
  {
    provide: IDENTITY_RESOLVED_OPTIONS,
    inject: [IDENTITY_MODULE_OPTIONS],
    useFactory: (options: IdentityModuleOptions) => resolveIdentityOptions(options),
  },
  {
    provide: IDENTITY_INVALIDATION_BUS,
    inject: [IDENTITY_RESOLVED_OPTIONS, getDataSourceToken()],
    useFactory: ({ invalidation }: ResolvedIdentityOptions, dataSource: DataSource): InvalidationBus => {
      switch (invalidation.driver) {
        case 'database':
          return new DatabaseInvalidationBus(dataSource, invalidation.pollMs);
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
  { provide: IDENTITY_CLOCK, useValue: SYSTEM_CLOCK },
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
    extras: Pick<typeof IDENTITY_OPTIONS_TYPE, 'features' | 'paths' | 'swagger'>,
  ): DynamicModule {
    const shape = resolveIdentityShape(extras);
    const surfaces = [MANAGEMENT_SURFACE, ...shape.features.flatMap((feature) => SURFACES[feature] ?? [])];
    const controllers = surfaces.flatMap((surface) =>
      surface.controllers.map(({ controller, path }) =>
        mountController(controller, shape.paths[path], surface, shape.swagger),
      ),
    );
    const surfaceErrors: SurfaceErrors[] = surfaces.flatMap((surface) =>
      surface.controllers.map(({ path }) => ({
        path: shape.paths[path].replace(/\/$/, '') || '/',
        filter: new surface.filter(),
      })),
    );
    const providers = [...CORE_PROVIDERS, ...surfaces.flatMap((surface) => surface.providers)];
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
