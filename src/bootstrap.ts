import { createRequire } from 'node:module';
import { type INestApplication, Logger, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ApiKeysService, IDENTITY_SECURITY_SCHEMES, WorkspacesService } from '../libs/identity/src/index.js';
import { AppModule } from './app.module.js';
import {
  configFromEnv,
  DEFAULT_HTTP_CONFIG,
  type HostConfig,
  type HttpAdapterName,
  type HttpConfig,
} from './config.js';
import express from 'express';
import {
  applyServerTimeouts,
  bodyLimitFor,
  connectionsCheckingInterval,
  decodeContentEncoding,
  refuseOversizedBodies,
} from './http-limits.js';

/** How `createDemoApp` builds the app; anything left out comes from the config. */
export interface DemoAppOptions {
  /** The HTTP platform: `express` (default) or `fastify`. */
  adapter?: HttpAdapterName;
}

/**
 * Builds the demo host app (not yet listening) on Express or Fastify: identity module, Swagger UI at
 * /docs, the same body limit and timeouts on both platforms, no `X-Powered-By`.
 */
export async function createDemoApp(
  config: HostConfig,
  logger: LoggerService | LogLevel[] | false = ['log', 'warn', 'error'],
  options: DemoAppOptions = {},
): Promise<INestApplication> {
  const http: HttpConfig = { ...DEFAULT_HTTP_CONFIG, ...config.http };
  const adapter = options.adapter ?? http.adapter;
  const app =
    adapter === 'fastify'
      ? await createFastifyApp(config, http, logger)
      : await createExpressApp(config, http, logger);
  app.enableShutdownHooks();
  setUpSwagger(app, adapter);
  return app;
}

async function createExpressApp(
  config: HostConfig,
  http: HttpConfig,
  logger: LoggerService | LogLevel[] | false,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register(config),
    new ExpressAdapter(),
    { logger, bodyParser: false },
  );
  app.disable('x-powered-by');
  // Before the parsers, which would read a too-large declared body to its end before answering 413.
  app.use(refuseOversizedBodies(http.bodyLimitBytes, http.largeBodyPaths));
  // Routes with a larger limit parse first; body-parser then skips a body that is already read.
  for (const [path, limit] of Object.entries(http.largeBodyPaths)) {
    app.use(path, express.json({ limit }));
  }
  app.useBodyParser('json', { limit: http.bodyLimitBytes });
  app.useBodyParser('urlencoded', { limit: http.bodyLimitBytes, extended: true });
  applyServerTimeouts(app.getHttpServer(), http);
  return app;
}

/** The reply Fastify passes to `frameworkErrors`, and the instance (with its error handler) it belongs to. */
interface FrameworkErrorReply {
  server: { errorHandler(error: unknown, request: unknown, reply: unknown): unknown };
}

async function createFastifyApp(
  config: HostConfig,
  http: HttpConfig,
  logger: LoggerService | LogLevel[] | false,
): Promise<INestApplication> {
  // Loaded only when asked for: Express hosts need not install it.
  const { FastifyAdapter } = await import('@nestjs/platform-fastify');
  const adapter = new FastifyAdapter({
    // Fastify's router answers a percent-escape that does not decode (and an over-long parameter) with its
    // own default error body; through the instance's error handler they get Nest's shape, and on the
    // identity module's paths the surface's own.
    frameworkErrors: (error: unknown, request: unknown, reply: FrameworkErrorReply) =>
      reply.server.errorHandler(error, request, reply),
    // Regpack documents its URLs with a trailing slash (`/reg/api2/users/`); Express ignores it, Fastify not.
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: http.bodyLimitBytes, // a larger declared Content-Length is refused before reading
    requestTimeout: http.requestTimeoutMs,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    http: {
      headersTimeout: Math.min(http.headersTimeoutMs, http.requestTimeoutMs),
      connectionsCheckingInterval: connectionsCheckingInterval(http),
    },
  });
  // Explo's get-or-create is a GET with a JSON body; Fastify ignores GET bodies unless told otherwise.
  adapter.getInstance().addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  adapter.getInstance().addHook('preParsing', decodeContentEncoding);
  adapter.getInstance().addHook('onRoute', (route: { url: string; bodyLimit?: number }) => {
    const limit = bodyLimitFor(route.url, http.bodyLimitBytes, http.largeBodyPaths);
    if (limit !== http.bodyLimitBytes) {
      route.bodyLimit = limit;
    }
  });
  return NestFactory.create<NestFastifyApplication>(AppModule.register(config), adapter, { logger });
}

/** Swagger UI at /docs, the document at /docs-json. On Fastify the UI's files need `@fastify/static`. */
function setUpSwagger(app: INestApplication, adapter: HttpAdapterName): void {
  const document = SwaggerModule.createDocument(app, swaggerConfig());
  if (adapter === 'fastify' && !isInstalled('@fastify/static')) {
    new Logger('DemoHost').warn(
      'Swagger UI needs @fastify/static on Fastify, which is not installed: serving only the OpenAPI document at /docs-json.',
    );
    SwaggerModule.setup('docs', app, document, { ui: false });
    app
      .getHttpAdapter()
      .get('/docs', (_request: unknown, reply: { type(t: string): unknown; send(body: string): unknown }) => {
        reply.type('text/plain; charset=utf-8');
        reply.send(
          'Swagger UI needs @fastify/static on Fastify (npm install @fastify/static).\nThe OpenAPI document is at /docs-json.\n',
        );
      });
    return;
  }
  SwaggerModule.setup('docs', app, document);
}

/** The demo host's OpenAPI document settings: the module's security schemes, as any host adds them. */
export function swaggerConfig(): Omit<OpenAPIObject, 'paths'> {
  const builder = new DocumentBuilder()
    .setTitle('nestjs-identity demo host')
    .setDescription('Identity routes at the seeds’ own paths, plus the module’s management routes.')
    .setVersion('0.1.0');
  for (const [name, scheme] of Object.entries(IDENTITY_SECURITY_SCHEMES)) {
    builder.addSecurity(name, scheme);
  }
  return builder.build();
}

function isInstalled(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** What a first start on an empty database prints: the one place the bootstrap key's secret is ever shown. */
export function firstStartBanner(
  first: { workspaceId: string; secret: string; given: boolean },
  url: string,
): string {
  const line = '='.repeat(78);
  return [
    line,
    `Created workspace ${first.workspaceId} on an empty database.`,
    first.given
      ? 'Registered IDENTITY_BOOTSTRAP_KEY as its write API key.'
      : `Its write API key (shown once, only its hash is stored; treat this log as a secret):\n\n    ${first.secret}\n`,
    `Try: curl -H "Authorization: Token <key>" ${url}/whoami`,
    line,
  ].join('\n');
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
    // Printed once, on the first start only: the secret is never logged again (only its hash is stored).
    output.print(firstStartBanner(first, url));
  }
  logger.log(
    `Listening on ${url} (${config.http?.adapter ?? 'express'}, ${config.database.type}); Swagger UI at ${url}/docs`,
  );
  return app;
}
