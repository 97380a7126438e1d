import type { INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CustomAttributesService,
  IdentityCliUsageError,
  IdentityError,
  parseIdentityCliArgs,
  requiredCliFlag,
  runIdentityCliCommand,
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

/**
 * A usage mistake: the CLI prints the message and the usage, and exits 2. The package CLI's own class:
 * the workspace and key commands are the package's (`nestjs-identity`), the demo adds its seed command.
 */
export const CliUsageError = IdentityCliUsageError;

/** True when the arguments ask for help (or are empty): no database is opened then. */
export function wantsHelp(argv: string[]): boolean {
  return argv.length === 0 || argv.includes('--help') || argv.includes('-h') || argv[0] === 'help';
}

/** Runs one CLI command against a booted application context; returns the lines to print. */
export async function runCliCommand(app: INestApplicationContext, argv: string[]): Promise<string[]> {
  const { words, flags } = parseIdentityCliArgs(argv);
  if (words[0] === 'custom-attributes' && words[1] === 'seed') {
    return seedDemoCustomAttributes(app.get(CustomAttributesService), requiredCliFlag(flags, 'workspace'));
  }
  return runIdentityCliCommand(app, words, flags);
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
