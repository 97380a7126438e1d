import { type INestApplication, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { ApiKeysService, WorkspacesService } from '../libs/identity/src/index.js';
import { AppModule } from './app.module.js';
import { configFromEnv, type HostConfig } from './config.js';

/** Builds the demo host app (not yet listening): identity module, Swagger UI at /docs. */
export async function createDemoApp(
  config: HostConfig,
  logger: LoggerService | LogLevel[] | false = ['log', 'warn', 'error'],
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.register(config), { logger });
  app.enableShutdownHooks();
  // A bulk of 1,000 end users is about 400 KB of JSON, past the 100 KB default body limit, so the end-user
  // routes parse bodies up to 2 MB; every other route keeps the default. (Wrapped so Nest still adds its
  // own parser: it skips that when it finds a middleware named `jsonParser`.)
  const endUsersJson = express.json({ limit: '2mb' });
  app.use(`/beta/endusers`, (req: express.Request, res: express.Response, next: express.NextFunction) =>
    endUsersJson(req, res, next),
  );
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

/** Where `npm start` writes: the one-time key banner goes to `print`, everything else to the Nest logger. */
export interface DemoHostOutput {
  print(text: string): void;
  logger?: LoggerService | LogLevel[];
}

/**
 * What `npm start` does: reads the environment (generating the SQLite token secret file on first start),
 * boots the demo host, creates the first workspace on an empty database and listens on PORT.
 */
export async function startDemoHost(
  env: NodeJS.ProcessEnv,
  output: DemoHostOutput = { print: (text) => console.log(text) },
): Promise<INestApplication> {
  const config = configFromEnv(env);
  const app = await createDemoApp(config, output.logger);
  const first = await bootstrapFirstWorkspace(app, config.bootstrapKey);
  await app.listen(config.port);
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  const logger = new Logger('DemoHost');
  const source = config.tokenSecretSource;
  if (source?.kind === 'file' && source.created) {
    logger.log(
      `Generated the token secret in ${source.path} (mode 0600). Keep it with the database: every stored key ` +
        'and token depends on it, and the CLI reads it too.',
    );
    if (!first) {
      logger.warn(
        'The database already held data made under another token secret: its API keys and embed tokens no ' +
          'longer authenticate. Create a key with `npm run identity -- keys create --workspace <id>`, or restore ' +
          'the old secret (IDENTITY_TOKEN_SECRET, or the file from a backup).',
      );
    }
  } else if (source?.kind === 'file') {
    logger.log(`Token secret from ${source.path}`);
  }
  if (first) {
    const line = '='.repeat(78);
    output.print(
      [
        line,
        `Created workspace ${first.workspaceId} on an empty database.`,
        first.given
          ? 'Registered IDENTITY_BOOTSTRAP_KEY as its write API key.'
          : `Its write API key (shown once, only its hash is stored):\n\n    ${first.secret}\n`,
        `Try: curl -H "Authorization: Token <key>" ${url}/whoami`,
        line,
      ].join('\n'),
    );
  }
  logger.log(`Listening on ${url} (${config.database.type}); Swagger UI at ${url}/docs`);
  return app;
}
