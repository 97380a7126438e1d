import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import {
  IDENTITY_ENTITIES,
  IDENTITY_MIGRATIONS,
  type IdentityModuleOptions,
} from '../libs/identity/src/index.js';

/** Where the demo host keeps its data. */
export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };

/** The HTTP platforms the demo host (and the module) run on. */
export type HttpAdapterName = 'express' | 'fastify';

/** HTTP server settings of the demo host; see "HTTP platform and limits" in README.md. */
export interface HttpConfig {
  /** `express` (default) or `fastify`. */
  adapter: HttpAdapterName;
  /** Largest request body in bytes (JSON and forms); a larger declared `Content-Length` is refused at once with 413. */
  bodyLimitBytes: number;
  /** Time a client has to send a whole request, headers and body (Node's `server.requestTimeout`). */
  requestTimeoutMs: number;
  /** Time a client has to send the request headers (Node's `server.headersTimeout`); at most `requestTimeoutMs`. */
  headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open (Node's `server.keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
}

/** The demo host's HTTP defaults: body-parser's 100 KiB limit on both platforms, and timeouts far below Node's 5 minutes. */
export const DEFAULT_HTTP_CONFIG: HttpConfig = {
  adapter: 'express',
  bodyLimitBytes: 100 * 1024,
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

/** Everything the demo host reads from its environment. */
export interface HostConfig {
  database: DatabaseConfig;
  identity: IdentityModuleOptions;
  port: number;
  /** HTTP platform, body limit and timeouts; anything left out takes `DEFAULT_HTTP_CONFIG`'s value. */
  http?: Partial<HttpConfig>;
  bootstrapKey?: string;
  /** Log failed queries (default true); tests that provoke failures on purpose turn it off. */
  databaseLogging?: boolean;
}

/** Reads the demo host's configuration; see the configuration table in README.md. */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): HostConfig {
  const kind = env.IDENTITY_DB ?? 'sqlite';
  let database: DatabaseConfig;
  if (kind === 'sqlite') {
    database = { type: 'sqlite', path: env.SQLITE_PATH ?? './data/identity.sqlite' };
  } else if (kind === 'postgres') {
    if (!env.DATABASE_URL) {
      throw new Error(
        'IDENTITY_DB=postgres needs DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test',
      );
    }
    database = { type: 'postgres', url: env.DATABASE_URL };
  } else {
    throw new Error(`IDENTITY_DB must be 'sqlite' or 'postgres' (got '${kind}')`);
  }
  const adapter = env.IDENTITY_HTTP_ADAPTER || 'express';
  if (adapter !== 'express' && adapter !== 'fastify') {
    throw new Error(`IDENTITY_HTTP_ADAPTER must be 'express' or 'fastify' (got '${adapter}')`);
  }
  const perSecond = env.IDENTITY_RATE_LIMIT_PER_SECOND;
  const grace = env.IDENTITY_ROTATION_GRACE_SECONDS;
  return {
    database,
    port: Number(env.PORT ?? 3000),
    http: { adapter },
    bootstrapKey: env.IDENTITY_BOOTSTRAP_KEY || undefined,
    identity: {
      tokenSecret: env.IDENTITY_TOKEN_SECRET,
      redisUrl: env.REDIS_URL || undefined,
      rateLimit: perSecond === '0' ? false : perSecond ? { perSecond: Number(perSecond) } : undefined,
      userGroups: grace ? { rotationGraceSeconds: Number(grace) } : undefined,
      invalidation: env.REDIS_URL
        ? { driver: 'redis', url: env.REDIS_URL }
        : database.type === 'postgres'
          ? { driver: 'postgres', url: database.url }
          : { driver: 'local' },
    },
  };
}

/** TypeORM options for the demo host: the module's entities and migrations as arrays, migrations on boot. */
export function typeOrmOptions(
  database: DatabaseConfig,
  options: { logging?: boolean } = {},
): TypeOrmModuleOptions {
  const common = {
    entities: IDENTITY_ENTITIES,
    migrations: IDENTITY_MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: options.logging === false ? false : ['error' as const],
  };
  if (database.type === 'postgres') {
    return { ...common, type: 'postgres', url: database.url };
  }
  if (database.path !== ':memory:') {
    mkdirSync(dirname(database.path), { recursive: true });
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database: database.path,
    enableWAL: database.path !== ':memory:',
  };
}
