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

/** Everything the demo host reads from its environment. */
export interface HostConfig {
  database: DatabaseConfig;
  identity: IdentityModuleOptions;
  port: number;
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
  const perSecond = env.IDENTITY_RATE_LIMIT_PER_SECOND;
  const grace = env.IDENTITY_ROTATION_GRACE_SECONDS;
  return {
    database,
    port: Number(env.PORT ?? 3000),
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
          : { driver: 'database' }, // a server and the CLI on one SQLite file: polled through a table
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
