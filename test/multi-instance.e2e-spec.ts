import { describe, expect, it } from '@jest/globals';
import type { IdentityModuleOptions, InvalidationOption } from '../libs/identity/src/index.js';
import { createTestDatabase, TEST_DB } from './utils/database.js';
import { tokenAuth, withKey } from './utils/fixtures.js';
import { createTestApp, type TestApp } from './utils/test-app.js';

const REDIS_URL = process.env.REDIS_URL;
/** The SQLite leg has a bus between instances only through Redis; without it those specs are skipped. */
const itWithBus = TEST_DB === 'postgres' || REDIS_URL ? it : it.skip;

/** How this leg's instances tell each other about invalidations: LISTEN/NOTIFY on PostgreSQL, else Redis. */
function busFor(databaseUrl: string | undefined): InvalidationOption {
  if (TEST_DB === 'postgres' && databaseUrl) {
    return { driver: 'postgres', url: databaseUrl };
  }
  if (!REDIS_URL) {
    throw new Error('No invalidation bus for this leg: the spec should have been skipped');
  }
  return { driver: 'redis', url: REDIS_URL };
}

async function eventually(check: () => Promise<boolean>, timeoutMs = 3000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

/**
 * Boots instances A (with a workspace) and B on one fresh database with the same options, runs `use`,
 * and tears everything down. With `needsBus`, the instances share this leg's invalidation bus and a
 * 60 s cache, so only the bus can make B forget something within the 3 s the tests allow.
 */
async function withTwoInstances(
  options: { needsBus?: boolean; identity?: IdentityModuleOptions },
  use: (a: TestApp, b: TestApp) => Promise<void>,
): Promise<void> {
  const database = await createTestDatabase();
  let identity = options.identity ?? {};
  if (options.needsBus) {
    const invalidation = busFor(database.config.type === 'postgres' ? database.config.url : undefined);
    identity = { ...identity, invalidation, tokenCache: { ttlMs: 60_000 } };
  }
  const a = await createTestApp({ database, identity });
  const b = await createTestApp({ database, identity, seedWorkspace: false });
  try {
    await use(a, b);
  } finally {
    await b.close();
    await a.close();
    await database.drop();
  }
}

describe('two instances on one database', () => {
  itWithBus(
    'refuses a key revoked on instance A on instance B too, long before B’s cache would expire',
    async () => {
      await withTwoInstances({ needsBus: true }, async (a, b) => {
        const key = await a.createKey(a.workspace.id, 'read');
        expect((await b.http.get('/whoami').set(tokenAuth(key))).status).toBe(200); // cached on B
        const list = await a.http.get('/identity/api-keys').set(withKey(a, 'write'));
        const id = list.body.data.find((k: { prefix: string }) => k.prefix === key.slice(4, 12)).id;
        const revoked = await a.http.delete(`/identity/api-keys/${id}`).set(withKey(a, 'write'));
        expect(revoked.status).toBe(200);
        const refused = await eventually(
          async () => (await b.http.get('/whoami').set(tokenAuth(key))).status === 401,
        );
        expect(refused).toBe(true);
      });
    },
  );

  itWithBus('refuses an embed token rotated on instance A on instance B too', async () => {
    await withTwoInstances({ needsBus: true }, async (a, b) => {
      const key = a.workspace.writeKey;
      const created = await a.http
        .get('/api/user')
        .set(tokenAuth(key))
        .send({ name: 'G', user_group_id: 'g' });
      const token: string = created.body.user_group.token;
      const viaB = () => b.http.get('/whoami/user-group').set(tokenAuth(token));
      expect((await viaB()).status).toBe(200); // cached on B
      const rotated = await a.http.post('/api/user').set(tokenAuth(key)).send({ current_token: token });
      expect(rotated.status).toBe(200);
      expect(await eventually(async () => (await viaB()).status === 401)).toBe(true);
    });
  });

  (REDIS_URL ? it : it.skip)(
    'shares one rate-limit budget per key across instances through Redis',
    async () => {
      // Counters are keyed by API key id, which is new in every run: no namespace per run is needed.
      await withTwoInstances(
        { identity: { redisUrl: REDIS_URL, rateLimit: { perSecond: 10 } } },
        async (a, b) => {
          await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
          const statuses: number[] = [];
          for (let i = 0; i < 11; i++) {
            const target = i % 2 === 0 ? a : b;
            statuses.push((await target.http.get('/whoami').set(withKey(a, 'write'))).status);
          }
          expect(statuses.filter((s) => s === 200)).toHaveLength(10);
          expect(statuses[10]).toBe(429);
        },
      );
    },
  );
});
