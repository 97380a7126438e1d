import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TEST_DB } from './utils/database.js';
import { type HostProcess, startTwoHostProcesses, type TwoHostProcesses } from './utils/host-process.js';

/** DESIGN.md §6: a cached verdict never outlives 5 s; the bus should make it far shorter. */
const MAX_DELAY_MS = 5000;

/** Polls `check` until it holds and answers how long that took (or throws after `MAX_DELAY_MS`). */
async function timeUntil(check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < MAX_DELAY_MS) {
    if (await check()) {
      return Math.round(performance.now() - started);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Not seen within ${MAX_DELAY_MS} ms`);
}

/**
 * Two real processes on one PostgreSQL database, each with its own token cache (60 s TTL, so only the
 * invalidation bus can make B forget): a user blocked through instance A is refused on instance B.
 * (The SQLite leg covers blocking within one instance in external-users.e2e-spec.ts.)
 */
(TEST_DB === 'postgres' ? describe : describe.skip)(
  'blocking an external user on instance A, seen by instance B (PostgreSQL LISTEN/NOTIFY; skipped on SQLite)',
  () => {
    let hosts: TwoHostProcesses;
    let a: HostProcess;
    let b: HostProcess;
    let key: string;

    beforeAll(async () => {
      hosts = await startTwoHostProcesses({ tokenCache: { ttlMs: 60_000 } });
      ({ a, b, key } = hosts);
    }, 180_000); // two processes transpile and boot the host at once

    afterAll(async () => {
      await hosts?.stop();
    });

    it('refuses the token on B right after A blocks the user, and accepts it again after A unblocks', async () => {
      const channel = await a.http.post('/api/v1/channels').set('Authorization', key).send({ name: 'Web' });
      const user = await a.http
        .post('/api/v1/external-users')
        .set('Authorization', key)
        .send({ channelId: channel.body.id, externalId: 'two-process' });
      expect(user.status).toBe(200);
      const onB = () => b.http.get('/assistant/me').set('Authorization', `Bearer ${user.body.accessToken}`);
      expect((await onB()).status).toBe(200);
      expect((await onB()).status).toBe(200); // a cache hit on B from now on

      const blocked = await a.http
        .patch(`/api/v1/external-users/${user.body.id}`)
        .set('Authorization', key)
        .send({ blocked: true });
      expect(blocked.status).toBe(200);
      const blockDelay = await timeUntil(async () => (await onB()).status === 403);

      await a.http
        .patch(`/api/v1/external-users/${user.body.id}`)
        .set('Authorization', key)
        .send({ blocked: false });
      const unblockDelay = await timeUntil(async () => (await onB()).status === 200);

      console.log(
        `external user blocked on A, refused on B after ${blockDelay} ms; unblocked on A, accepted on B after ${unblockDelay} ms`,
      );
      expect(blockDelay).toBeLessThanOrEqual(MAX_DELAY_MS);
    });
  },
);
