import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { DataSource } from 'typeorm';
import {
  ApiKeysService,
  type ApiKeyScope,
  type IdentityModuleOptions,
  WorkspacesService,
} from '../../libs/identity/src/index.js';
import { createDemoApp } from '../../src/bootstrap.js';
import type { HostConfig, HttpAdapterName, HttpConfig } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** A secret of at least 32 characters, as production requires. */
export const TEST_TOKEN_SECRET = 'test-secret-0123456789abcdef0123456789abcdef';

/** The HTTP platform of this run's apps unless a spec picks one: `IDENTITY_HTTP_ADAPTER`, else Express. */
export const TEST_ADAPTER: HttpAdapterName =
  process.env.IDENTITY_HTTP_ADAPTER === 'fastify' ? 'fastify' : 'express';

/** Both HTTP platforms, for specs that run once on each (`describe.each(HTTP_ADAPTERS)`). */
export const HTTP_ADAPTERS: readonly HttpAdapterName[] = ['express', 'fastify'];

/** A workspace of the test app with one key of each scope. */
export interface TestWorkspace {
  id: string;
  writeKey: string;
  readKey: string;
}

/** The demo host booted on its own fresh database, with one workspace ready. */
export interface TestApp {
  app: INestApplication;
  adapter: HttpAdapterName;
  http: TestAgent;
  database: TestDatabase;
  dataSource: DataSource;
  workspace: TestWorkspace;
  createWorkspace(name?: string): Promise<TestWorkspace>;
  createKey(workspaceId: string, scope: ApiKeyScope): Promise<string>;
  close(): Promise<void>;
}

/**
 * Boots the demo host over HTTP (Express, or `adapter`) on a fresh database of this run's kind (SQLite or PostgreSQL), runs
 * the migrations, and (unless `seedWorkspace: false`) creates a workspace with a write and a read key. Tests get a high rate limit
 * unless they pass their own.
 */
export async function createTestApp(
  options: {
    identity?: IdentityModuleOptions;
    database?: TestDatabase;
    seedWorkspace?: boolean;
    adapter?: HttpAdapterName;
    http?: Partial<HttpConfig>;
  } = {},
): Promise<TestApp> {
  const adapter = options.adapter ?? TEST_ADAPTER;
  const database = options.database ?? (await createTestDatabase());
  const config: HostConfig = {
    database: database.config,
    port: 0,
    databaseLogging: false,
    http: options.http,
    identity: {
      tokenSecret: TEST_TOKEN_SECRET,
      rateLimit: { perSecond: 10_000 },
      // every spec's requests come from 127.0.0.1: specs of the failure limit pass their own
      authFailures: { maxPerWindow: 100_000, windowSeconds: 60 },
      ...options.identity,
    },
  };
  const app = await createDemoApp(config, ['error'], { adapter });
  await app.init();
  if (adapter === 'fastify') {
    // Fastify adds its routes when ready; listen() waits for it, a bare init() does not.
    await (app.getHttpAdapter().getInstance() as { ready(): Promise<unknown> }).ready();
  }
  const createKey = async (workspaceId: string, scope: ApiKeyScope) =>
    (await app.get(ApiKeysService).create(workspaceId, { name: `${scope} key`, scope })).secret;
  const createWorkspace = async (name = 'Test workspace'): Promise<TestWorkspace> => {
    const workspace = await app.get(WorkspacesService).create(name);
    return {
      id: workspace.id,
      writeKey: await createKey(workspace.id, 'write'),
      readKey: await createKey(workspace.id, 'read'),
    };
  };
  const workspace =
    options.seedWorkspace === false ? { id: '', writeKey: '', readKey: '' } : await createWorkspace();
  return {
    app,
    adapter,
    http: request(app.getHttpServer()),
    database,
    dataSource: app.get(DataSource),
    workspace,
    createWorkspace,
    createKey,
    close: async () => {
      await app.close();
      if (!options.database) {
        await database.drop();
      }
    },
  };
}
