import type { INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ApiKeysService,
  type ApiKeyScope,
  CustomAttributesService,
  IdentityError,
  WorkspacesService,
} from '../libs/identity/src/index.js';
import { AppModule } from './app.module.js';
import { seedDemoCustomAttributes } from './demo-custom-attributes.js';
import { configFromEnv, HostConfigError } from './config.js';

/** What `npm run identity -- --help` prints. */
export const CLI_USAGE = `Usage: npm run identity -- <command>

  workspaces create --name <name>          create a workspace, print its id
  workspaces list                          list workspaces
  keys create --workspace <id> [--scope read|write] [--name <name>]
                                           create an API key and print it once
  keys list --workspace <id>               list a workspace's keys (never their secrets)
  keys revoke <key-id> --workspace <id>    revoke a key at once
  custom-attributes seed --workspace <id>  define a few demo custom attributes (end users)

The database is chosen as for npm start: IDENTITY_DB=sqlite (default, SQLITE_PATH) or
IDENTITY_DB=postgres with DATABASE_URL. The token secret must be the server's: IDENTITY_TOKEN_SECRET,
or on SQLite without it the identity-token-secret file beside the database, which both read.`;

/** A usage mistake: the CLI prints the message and the usage, and exits 2. */
export class CliUsageError extends Error {}

function parseFlags(args: string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--')) {
      const [name, inline] = arg.slice(2).split('=', 2);
      const value = inline ?? args[i + 1];
      if (value === undefined || (inline === undefined && value.startsWith('--'))) {
        throw new CliUsageError(`--${name} needs a value`);
      }
      flags.set(name, value);
      if (inline === undefined) {
        i++;
      }
    } else {
      positional.push(arg);
    }
  }
  return { positional, flags };
}

function required(flags: Map<string, string>, name: string): string {
  const value = flags.get(name);
  if (!value) {
    throw new CliUsageError(`--${name} is required`);
  }
  return value;
}

/** True when the arguments ask for help (or are empty): no database is opened then. */
export function wantsHelp(argv: string[]): boolean {
  return argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
}

/** Runs one CLI command against a booted application context; returns the lines to print. */
export async function runCliCommand(app: INestApplicationContext, argv: string[]): Promise<string[]> {
  const [group, action, ...rest] = argv;
  const { positional, flags } = parseFlags(rest);
  const workspaces = app.get(WorkspacesService);
  const keys = app.get(ApiKeysService);
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
        throw new CliUsageError("--scope must be 'read' or 'write'");
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
        throw new CliUsageError('keys revoke needs the key id');
      }
      const key = await keys.revoke(required(flags, 'workspace'), keyId);
      return [`Revoked key ${key.id} (${key.prefix}).`];
    }
    case 'custom-attributes seed':
      return seedDemoCustomAttributes(app.get(CustomAttributesService), required(flags, 'workspace'));
    default:
      throw new CliUsageError(`Unknown command '${command}'`);
  }
}

/** Where the CLI writes: its results to `out`, usage mistakes and failures to `err`. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
  logger?: LogLevel[];
}

/**
 * What `npm run identity -- …` does: reads the environment as `npm start` does (so on SQLite it uses, or
 * creates, the same token secret file), runs one command and returns the exit code.
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  output: CliOutput = { out: (text) => console.log(text), err: (text) => console.error(text) },
): Promise<number> {
  if (wantsHelp(argv)) {
    output.out(CLI_USAGE);
    return 0;
  }
  let config;
  try {
    config = configFromEnv(env);
  } catch (err) {
    if (err instanceof HostConfigError) {
      output.err(err.message);
      return 1;
    }
    throw err;
  }
  const source = config.tokenSecretSource;
  if (source?.kind === 'file' && source.created) {
    output.err(`Generated the token secret in ${source.path}; the server reads it too.`);
  }
  const app = await NestFactory.createApplicationContext(AppModule.register(config), {
    logger: output.logger ?? ['error'],
  });
  try {
    output.out((await runCliCommand(app, argv)).join('\n'));
    return 0;
  } catch (err) {
    if (err instanceof CliUsageError) {
      output.err(`${err.message}\n\n${CLI_USAGE}`);
      return 2;
    }
    if (err instanceof IdentityError) {
      output.err(err.message);
      return 1;
    }
    throw err;
  } finally {
    await app.close();
  }
}
