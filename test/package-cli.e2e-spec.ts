import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { DatabaseConfig } from '../src/config.js';
import { tokenAuth } from './utils/fixtures.js';
import { createTestDatabase, type TestDatabase } from './utils/database.js';
import { createTestApp, TEST_TOKEN_SECRET, type TestApp } from './utils/test-app.js';

const REGISTER = fileURLToPath(new URL('./utils/ts-register.mjs', import.meta.url));
const BIN = fileURLToPath(new URL('../libs/identity/src/cli/main.ts', import.meta.url));

/** The package's `nestjs-identity` bin, from source, with exactly `env` (plus PATH). */
async function nestjsIdentity(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', REGISTER, BIN, ...args],
      {
        env: { PATH: process.env.PATH ?? '', ...env },
        timeout: 60_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const databaseUrl = (config: DatabaseConfig) =>
  config.type === 'postgres' ? config.url : `sqlite:${config.path}`;

describe('nestjs-identity CLI (the package bin) against the host database', () => {
  const ctx = {} as { app: TestApp };
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = database.config;
    ctx.app = await createTestApp({
      database,
      seedWorkspace: false,
      identity: {
        tokenCache: { ttlMs: 60_000 },
        // a revoke from the CLI reaches the host as it would in production: NOTIFY on the same database,
        // or the database bus on the same SQLite file
        invalidation:
          config.type === 'postgres'
            ? { driver: 'postgres', url: config.url }
            : { driver: 'database', pollMs: 50 },
      },
    });
  });

  afterAll(async () => {
    await ctx.app?.close();
    await database?.drop();
  });

  it('creates a workspace and a key the running host accepts, lists it without its secret, and revokes it at once', async () => {
    const env = {
      DATABASE_URL: databaseUrl(ctx.app.database.config),
      IDENTITY_TOKEN_SECRET: TEST_TOKEN_SECRET,
    };
    const workspace = await nestjsIdentity(['workspaces', 'create', '--name', 'Acme'], env);
    expect(workspace.code).toBe(0);
    const workspaceId = /Created workspace (\S+)/.exec(workspace.stdout)![1];

    const created = await nestjsIdentity(
      ['keys', 'create', '--workspace', workspaceId, '--scope', 'read'],
      env,
    );
    expect(created.code).toBe(0);
    const secret = /idk_\w+/.exec(created.stdout)![0];
    const keyId = /key (\S+) \(public id/.exec(created.stdout)![1];
    const whoami = await ctx.app.http.get('/whoami').set(tokenAuth(secret));
    expect([whoami.status, whoami.body.workspaceId, whoami.body.scope]).toEqual([200, workspaceId, 'read']);

    const listed = await nestjsIdentity(['keys', 'list', '--workspace', workspaceId], env);
    expect(listed.stdout).toContain(keyId);
    expect(listed.stdout).not.toContain(secret);

    expect((await nestjsIdentity(['keys', 'revoke', keyId, '--workspace', workspaceId], env)).code).toBe(0);
    // the host's cached verdict is dropped through the invalidation bus (LISTEN/NOTIFY, or the database bus)
    let status = 200;
    for (let attempt = 0; attempt < 40 && status !== 401; attempt++) {
      status = (await ctx.app.http.get('/whoami').set(tokenAuth(secret))).status;
      if (status !== 401) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    expect(status).toBe(401);
  });

  it('prints its usage, and says what is missing or wrong with exit codes 1 and 2', async () => {
    const help = await nestjsIdentity(['--help'], {});
    expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('DATABASE_URL')]);
    const url = databaseUrl(ctx.app.database.config);
    const noUrl = await nestjsIdentity(['workspaces', 'list'], { IDENTITY_TOKEN_SECRET: TEST_TOKEN_SECRET });
    expect([noUrl.code, noUrl.stderr]).toEqual([2, expect.stringContaining('DATABASE_URL')]);
    const noSecret = await nestjsIdentity(['workspaces', 'list'], { DATABASE_URL: url });
    expect([noSecret.code, noSecret.stderr]).toEqual([1, expect.stringContaining('IDENTITY_TOKEN_SECRET')]);
    const env = { DATABASE_URL: url, IDENTITY_TOKEN_SECRET: TEST_TOKEN_SECRET };
    const badScope = await nestjsIdentity(['keys', 'create', '--workspace', 'x', '--scope', 'admin'], env);
    expect([badScope.code, badScope.stderr]).toEqual([2, expect.stringContaining('--scope')]);
    const badUrl = await nestjsIdentity(['workspaces', 'list'], { ...env, DATABASE_URL: 'mysql://x' });
    expect([badUrl.code, badUrl.stderr]).toEqual([2, expect.stringContaining('postgres://')]);
  });
});
