import { type INestApplicationContext, type LogLevel, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { ApiKeyScope } from '../api-keys/api-key.entity.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { IDENTITY_ENTITIES, IDENTITY_MIGRATIONS } from '../identity.entities.js';
import type { InvalidationOption } from '../identity.module-definition.js';
import { IdentityModule } from '../identity.module.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';

/** What `nestjs-identity --help` prints. */
export const IDENTITY_CLI_USAGE = `Usage: nestjs-identity <command> [--database-url <url>] [--migrate]

  workspaces create --name <name>          create a workspace, print its id
  workspaces list                          list workspaces
  keys create --workspace <id> [--scope read|write] [--name <name>]
                                           create an API key and print it once
  keys list --workspace <id>               list a workspace's keys (never their secrets)
  keys revoke <key-id> --workspace <id>    revoke a key at once

It works on your app's database, the one your AppModule gives TypeOrmModule:
  DATABASE_URL (or --database-url)  postgres://user@host:5432/db, or sqlite:<path> for a SQLite file
  IDENTITY_TOKEN_SECRET             the tokenSecret your app passes to IdentityModule (a comma-separated
                                    list when rotating, current first): keys made with another secret
                                    do not work against your app
  REDIS_URL                         optional: with invalidation: { driver: 'redis' } in your app, a revoke
                                    reaches running instances through it (on PostgreSQL it goes through
                                    LISTEN/NOTIFY, on SQLite through the database bus)
  --migrate                         run the module's migrations first (normally your app runs them)`;

/** A usage mistake: the CLI prints the message and the usage, and exits 2. */
export class IdentityCliUsageError extends Error {}

/** Where the CLI writes: results to `out`, mistakes and failures to `err`. */
export interface IdentityCliOutput {
  out(text: string): void;
  err(text: string): void;
  logger?: LogLevel[];
}

/** A command line split into words, `--flag value` pairs and `--switch`es. */
export interface ParsedArgs {
  words: string[];
  flags: Map<string, string>;
  switches: Set<string>;
}

const SWITCHES = new Set(['migrate', 'help']);

/** Splits a command line; a flag without a value is a usage mistake. */
export function parseArgs(argv: string[]): ParsedArgs {
  const words: string[] = [];
  const flags = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h') {
      switches.add('help');
    } else if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (SWITCHES.has(name)) {
        switches.add(name);
        continue;
      }
      const value = inline ?? argv[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new IdentityCliUsageError(`--${name} needs a value`);
      }
      flags.set(name, value);
      if (inline === undefined) {
        i++;
      }
    } else {
      words.push(arg);
    }
  }
  return { words, flags, switches };
}

/** A flag's value, or a usage mistake naming it. */
export function required(flags: Map<string, string>, name: string): string {
  const value = flags.get(name);
  if (!value) {
    throw new IdentityCliUsageError(`--${name} is required`);
  }
  return value;
}

/** The TypeORM connection and invalidation bus for a database URL. */
function databaseFor(url: string, redisUrl: string | undefined, migrate: boolean) {
  const common = {
    entities: IDENTITY_ENTITIES,
    migrations: IDENTITY_MIGRATIONS,
    migrationsRun: migrate,
    logging: false,
  };
  if (/^postgres(ql)?:\/\//.test(url)) {
    return {
      typeOrm: { type: 'postgres' as const, url, ...common },
      invalidation: (redisUrl
        ? { driver: 'redis', url: redisUrl }
        : { driver: 'postgres', url }) satisfies InvalidationOption,
    };
  }
  if (url.startsWith('sqlite:')) {
    return {
      typeOrm: { type: 'better-sqlite3' as const, database: url.slice('sqlite:'.length), ...common },
      invalidation: (redisUrl
        ? { driver: 'redis', url: redisUrl }
        : { driver: 'database' }) satisfies InvalidationOption,
    };
  }
  throw new IdentityCliUsageError('the database URL must start with postgres://, postgresql:// or sqlite:');
}

/** Runs one command against a booted application context; returns the lines to print. */
export async function runIdentityCliCommand(
  app: INestApplicationContext,
  words: string[],
  flags: Map<string, string>,
) {
  const workspaces = app.get(WorkspacesService);
  const keys = app.get(ApiKeysService);
  const [group, action, ...positional] = words;
  const command = `${group} ${action ?? ''}`.trim();
  switch (command) {
    case 'workspaces create': {
      const workspace = await workspaces.create(required(flags, 'name'));
      return [`Created workspace ${workspace.id} (${workspace.name})`];
    }
    case 'workspaces list': {
      const list = await workspaces.list();
      return list.length === 0
        ? ['No workspaces.']
        : list.map((w) => `${w.id}  ${w.createdAt.toISOString()}  ${w.name}`);
    }
    case 'keys create': {
      const scope = (flags.get('scope') ?? 'write') as ApiKeyScope;
      if (scope !== 'read' && scope !== 'write') {
        throw new IdentityCliUsageError("--scope must be 'read' or 'write'");
      }
      const { apiKey, secret } = await keys.create(required(flags, 'workspace'), {
        scope,
        name: flags.get('name'),
      });
      return [
        `Created ${apiKey.scope} key ${apiKey.id} (public id ${apiKey.prefix}, name "${apiKey.name}").`,
        'The key is shown once; only its hash is stored:',
        '',
        `    ${secret}`,
        '',
      ];
    }
    case 'keys list': {
      const list = await keys.list(required(flags, 'workspace'));
      return list.length === 0
        ? ['No keys.']
        : list.map(
            (k) =>
              `${k.id}  ${k.prefix}  ${k.scope.padEnd(5)}  ${k.revokedAt ? 'revoked' : 'active '}  ` +
              `last used ${k.lastUsedAt?.toISOString() ?? 'never'}  ${k.name}`,
          );
    }
    case 'keys revoke': {
      const keyId = positional[0] ?? flags.get('key');
      if (!keyId) {
        throw new IdentityCliUsageError('keys revoke needs the key id');
      }
      const key = await keys.revoke(required(flags, 'workspace'), keyId);
      return [`Revoked key ${key.id} (${key.prefix}).`];
    }
    default:
      throw new IdentityCliUsageError(`Unknown command '${command}'`);
  }
}

@Module({})
class IdentityCliModule {
  static register(database: ReturnType<typeof databaseFor>, tokenSecret: string[]): DynamicModule {
    return {
      module: IdentityCliModule,
      imports: [
        TypeOrmModule.forRoot(database.typeOrm),
        IdentityModule.forRoot({ tokenSecret, invalidation: database.invalidation, rateLimit: false }),
      ],
    };
  }
}

/**
 * `nestjs-identity …` (the package's `bin`): manages workspaces and API keys in the host's own database.
 * Returns the exit code: 0 done, 1 failed, 2 a usage mistake.
 */
export async function runIdentityCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  output: IdentityCliOutput = { out: (text) => console.log(text), err: (text) => console.error(text) },
): Promise<number> {
  let app: INestApplicationContext | undefined;
  try {
    const { words, flags, switches } = parseArgs(argv);
    if (words.length === 0 || switches.has('help') || words[0] === 'help') {
      output.out(IDENTITY_CLI_USAGE);
      return 0;
    }
    const url = flags.get('database-url') ?? env.DATABASE_URL;
    if (!url) {
      throw new IdentityCliUsageError("set DATABASE_URL (or pass --database-url) to your app's database");
    }
    const tokenSecret = (env.IDENTITY_TOKEN_SECRET ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean);
    if (tokenSecret.length === 0) {
      output.err(
        'Set IDENTITY_TOKEN_SECRET to the tokenSecret of your app: keys made with another secret do not work.',
      );
      return 1;
    }
    const database = databaseFor(url, env.REDIS_URL, switches.has('migrate'));
    flags.delete('database-url');
    app = await NestFactory.createApplicationContext(IdentityCliModule.register(database, tokenSecret), {
      logger: output.logger ?? ['error'],
      abortOnError: false,
    });
    output.out((await runIdentityCliCommand(app, words, flags)).join('\n'));
    return 0;
  } catch (err) {
    if (err instanceof IdentityCliUsageError) {
      output.err(`${err.message}\n\n${IDENTITY_CLI_USAGE}`);
      return 2;
    }
    output.err(err instanceof IdentityError ? err.message : `nestjs-identity: ${(err as Error).message}`);
    return 1;
  } finally {
    await app?.close();
  }
}
