import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';
import {
  IDENTITY_ENTITIES,
  IDENTITY_MIGRATIONS,
  type IdentityModuleOptions,
} from '../libs/identity/src/index.js';

/** Where the demo host keeps its data. */
export type DatabaseConfig = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };

/** A mistake in the demo host's environment: `npm start` and the CLI print the message and exit 1. */
export class HostConfigError extends Error {
  override name = 'HostConfigError';
}

/** Where the demo host's token secret came from (never the secret itself), so start-up can say so. */
export type TokenSecretSource =
  { kind: 'environment' } | { kind: 'file'; path: string; created: boolean } | { kind: 'in-memory' };

/** The HTTP platforms the demo host (and the module) run on. */
export type HttpAdapterName = 'express' | 'fastify';

/** HTTP server settings of the demo host; see "HTTP platform and limits" in README.md. */
export interface HttpConfig {
  /** `express` (default) or `fastify`. */
  adapter: HttpAdapterName;
  /** Largest request body in bytes (JSON and forms); a larger declared `Content-Length` is refused at once with 413. */
  bodyLimitBytes: number;
  /**
   * Larger limits for routes under these paths: Dixa's bulk calls take up to 1,000 end users (about
   * 400 KB of JSON), so `/beta/endusers` allows 2 MiB while every other route keeps `bodyLimitBytes`.
   */
  largeBodyPaths: Record<string, number>;
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
  largeBodyPaths: { '/beta/endusers': 2 * 1024 * 1024 },
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
};

/** Everything the demo host reads from its environment. */
export interface HostConfig {
  database: DatabaseConfig;
  identity: IdentityModuleOptions;
  /** Where `identity.tokenSecret` came from; hosts built by hand (tests) may leave it out. */
  tokenSecretSource?: TokenSecretSource;
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
      throw new HostConfigError(
        'IDENTITY_DB=postgres needs DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/test',
      );
    }
    database = { type: 'postgres', url: env.DATABASE_URL };
  } else {
    throw new HostConfigError(`IDENTITY_DB must be 'sqlite' or 'postgres' (got '${kind}')`);
  }
  const { tokenSecret, source } = tokenSecretFromEnv(env, database);
  const adapter = env.IDENTITY_HTTP_ADAPTER || 'express';
  if (adapter !== 'express' && adapter !== 'fastify') {
    throw new HostConfigError(`IDENTITY_HTTP_ADAPTER must be 'express' or 'fastify' (got '${adapter}')`);
  }
  const perSecond = env.IDENTITY_RATE_LIMIT_PER_SECOND;
  const grace = env.IDENTITY_ROTATION_GRACE_SECONDS;
  return {
    database,
    port: Number(env.PORT ?? 3000),
    http: { adapter },
    bootstrapKey: env.IDENTITY_BOOTSTRAP_KEY || undefined,
    tokenSecretSource: source,
    identity: {
      tokenSecret,
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

/** The file beside a SQLite database that keeps the token secret the demo host generated for it. */
export function tokenSecretFilePath(sqlitePath: string): string {
  return join(dirname(sqlitePath), 'identity-token-secret');
}

/**
 * The module's `tokenSecret`: IDENTITY_TOKEN_SECRET (a comma-separated list rotates it, the current secret
 * first); without it, on SQLite, a random secret generated once and kept in a file beside the database, so
 * `npm start` needs no configuration and the CLI, reading the same file, mints keys the server accepts.
 * PostgreSQL has no such file to share between instances: there the variable is required.
 */
export function tokenSecretFromEnv(
  env: NodeJS.ProcessEnv,
  database: DatabaseConfig,
): { tokenSecret: string | string[]; source: TokenSecretSource } {
  const given = (env.IDENTITY_TOKEN_SECRET ?? '')
    .split(',')
    .map((secret) => secret.trim())
    .filter((secret) => secret !== '');
  if (given.length > 0) {
    return { tokenSecret: given.length === 1 ? given[0] : given, source: { kind: 'environment' } };
  }
  if (database.type === 'postgres') {
    throw new HostConfigError(
      'IDENTITY_DB=postgres needs IDENTITY_TOKEN_SECRET: every instance and the CLI must share one secret, ' +
        'so the demo host does not generate it. Set it to at least 32 random characters, e.g. ' +
        'IDENTITY_TOKEN_SECRET="$(openssl rand -base64 48)", and keep it: stored keys and tokens depend on it.',
    );
  }
  if (database.path === ':memory:') {
    // Nothing outlives the process, so neither need the secret.
    return { tokenSecret: randomBytes(32).toString('base64url'), source: { kind: 'in-memory' } };
  }
  const path = tokenSecretFilePath(database.path);
  const { secret, created } = readOrCreateSecretFile(path);
  return { tokenSecret: secret, source: { kind: 'file', path, created } };
}

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function readSecretFile(path: string): string {
  const secret = readFileSync(path, 'utf8').trim();
  if (secret.length < 32) {
    throw new HostConfigError(
      `${path} holds no token secret of at least 32 characters. Restore it from a backup, or delete it to ` +
        'generate a new one (keys and tokens made under the old one then stop working), or set IDENTITY_TOKEN_SECRET.',
    );
  }
  return secret;
}

/**
 * Reads the secret file, or creates it: written in full to a private temporary file first, then linked
 * into place, which fails if another process (the server and the CLI starting together) got there first;
 * then both use the one that won. The file is never replaced once it exists.
 */
function readOrCreateSecretFile(path: string): { secret: string; created: boolean } {
  try {
    return { secret: readSecretFile(path), created: false };
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') {
      throw err;
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    fchmodSync(fd, 0o600); // whatever the umask says
    writeSync(fd, `${secret}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let created = false;
  try {
    linkSync(temporary, path);
    created = true;
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') {
      throw err;
    }
  } finally {
    unlinkSync(temporary);
  }
  if (!created) {
    return { secret: readSecretFile(path), created: false };
  }
  syncDirectory(dirname(path));
  return { secret, created: true };
}

/** Makes the new directory entry durable, where the platform allows opening a directory. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can fsync a directory; the file itself is already on disk.
  }
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
