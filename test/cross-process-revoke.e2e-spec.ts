import { describe, expect, it } from '@jest/globals';
import { ApiKeysService, type ApiKeyScope } from '../libs/identity/src/index.js';
import { configFromEnv } from '../src/config.js';
import { runCliProcess } from './utils/cli-process.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from './utils/database.js';
import { tokenAuth } from './utils/fixtures.js';
import { createTestApp, TEST_TOKEN_SECRET, type TestApp } from './utils/test-app.js';

/** The database bus polls this often by default; LISTEN/NOTIFY (the PostgreSQL leg) is quicker still. */
const POLL_MS = 250;
/** Time for the poll's query and the request itself, on a loaded machine. */
const MARGIN_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The demo host's environment for this database, as `npm start` and `npm run identity` would see it. */
function hostEnv(database: TestDatabase): Record<string, string> {
  const config = database.config;
  return {
    IDENTITY_TOKEN_SECRET: TEST_TOKEN_SECRET,
    ...(config.type === 'sqlite'
      ? { IDENTITY_DB: 'sqlite', SQLITE_PATH: config.path }
      : { IDENTITY_DB: 'postgres', DATABASE_URL: config.url }),
  };
}

/**
 * Boots servers on one fresh database with the invalidation bus the demo host picks for it without
 * REDIS_URL (`database` on SQLite, LISTEN/NOTIFY on PostgreSQL) and a 60 s cache, so within the time
 * allowed below only the bus can make a server forget a key.
 */
async function withServers(
  count: number,
  use: (servers: TestApp[], env: Record<string, string>) => Promise<void>,
) {
  const database = await createTestDatabase();
  const env = hostEnv(database);
  const identity = { invalidation: configFromEnv(env).identity.invalidation, tokenCache: { ttlMs: 60_000 } };
  const servers: TestApp[] = [];
  try {
    for (let i = 0; i < count; i++) {
      servers.push(await createTestApp({ database, identity, seedWorkspace: i === 0 }));
    }
    await use(servers, env);
  } finally {
    for (const server of servers.reverse()) {
      await server.close();
    }
    await database.drop();
  }
}

async function createKey(server: TestApp, scope: ApiKeyScope) {
  const { apiKey, secret } = await server.app
    .get(ApiKeysService)
    .create(server.workspace.id, { name: 'to revoke', scope });
  return { id: apiKey.id, secret };
}

/** Waits until the server has recorded the key's use (its own background write). */
async function untilUseRecorded(server: TestApp, keyId: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const [row] = await server.dataSource.query(
      `SELECT last_used_at FROM identity_api_keys WHERE id = ${TEST_DB === 'postgres' ? '$1' : '?'}`,
      [keyId],
    );
    if (row?.last_used_at) {
      return;
    }
    await sleep(20);
  }
  throw new Error('the key’s use was never recorded');
}

describe('a key revoked by another process on the same database', () => {
  it('from the CLI is refused by a running server on its very next request', async () => {
    await withServers(1, async ([server], env) => {
      const key = await createKey(server, 'read');
      const whoami = () => server.http.get('/whoami').set(tokenAuth(key.secret));
      expect((await whoami()).status).toBe(200); // verified once: the server has it cached now

      const revoked = await runCliProcess(
        ['keys', 'revoke', key.id, '--workspace', server.workspace.id],
        env,
      );
      expect(revoked.stdout).toContain(key.id);

      await sleep(POLL_MS + MARGIN_MS);
      expect((await whoami()).status).toBe(401);
    });
  }, 120_000); // the CLI process compiles and boots the app: slow on a busy machine

  it('through ApiKeysService.revoke on a second instance is refused by the first on its very next request', async () => {
    await withServers(2, async ([first, second]) => {
      const key = await createKey(first, 'read');
      expect((await first.http.get('/whoami').set(tokenAuth(key.secret))).status).toBe(200);
      // Two SQLite connections of one process must not write at once (better-sqlite3 waits for the lock
      // synchronously, blocking the holder): let the first server's own write land before the revoke.
      await untilUseRecorded(first, key.id);

      await second.app.get(ApiKeysService).revoke(first.workspace.id, key.id);

      await sleep(POLL_MS + MARGIN_MS);
      expect((await first.http.get('/whoami').set(tokenAuth(key.secret))).status).toBe(401);
    });
  });
});
