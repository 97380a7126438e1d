import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type pg from 'pg';
import { tokenAuth } from './utils/fixtures.js';
import { TEST_DB } from './utils/database.js';
import { createTestApp, type TestApp } from './utils/test-app.js';

/** The queries the app's pg pool was sent while `call` ran (the lean lookups go straight to it). */
async function poolQueries(t: TestApp, call: () => Promise<unknown>): Promise<pg.QueryConfig[]> {
  const pool = (t.dataSource.driver as unknown as { master: pg.Pool }).master;
  const sent: pg.QueryConfig[] = [];
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  const spy = jest.spyOn(pool, 'query').mockImplementation(((config: pg.QueryConfig) => {
    sent.push(config);
    return query(config);
  }) as unknown as typeof pool.query);
  try {
    await call();
  } finally {
    spy.mockRestore();
  }
  return sent.filter((config) => typeof config === 'object' && /\bhash IN \(/.test(config.text));
}

// A cold token check is one lookup; re-planning a three-table lookup on every call halved a cold
// guard's throughput, so on PostgreSQL lookups are named prepared statements unless the host says no.
(TEST_DB === 'postgres' ? describe : describe.skip)('prepared token lookups on PostgreSQL', () => {
  let t: TestApp | undefined;

  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  it('sends a cold key check as a named prepared statement, one name per SQL text', async () => {
    t = await createTestApp({ identity: { tokenSecret: 'p'.repeat(40), tokenCache: { ttlMs: 0 } } });
    const app = t;
    const sent = await poolQueries(app, async () => {
      for (let i = 0; i < 3; i++) {
        expect((await app.http.get('/whoami').set(tokenAuth(app.workspace.readKey))).status).toBe(200);
      }
    });
    expect(sent).toHaveLength(3);
    expect(sent[0].name).toMatch(/^identity_[0-9a-f]{16}$/);
    expect(new Set(sent.map((q) => q.name)).size).toBe(1);
  });

  it('sends it unnamed with preparedStatements: false (a pooler in transaction mode), and still admits', async () => {
    t = await createTestApp({
      identity: { tokenSecret: 'p'.repeat(40), tokenCache: { ttlMs: 0 }, preparedStatements: false },
    });
    const app = t;
    const sent = await poolQueries(app, async () => {
      expect((await app.http.get('/whoami').set(tokenAuth(app.workspace.readKey))).status).toBe(200);
    });
    expect(sent).toHaveLength(1);
    expect(sent[0].name).toBeUndefined();
  });
});
