import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  RedisInvalidationBus,
  RedisThrottlerStorage,
  resolveIdentityOptions,
  type ResolvedIdentityOptions,
  TokenCache,
} from '../libs/identity/src/index.js';

// `npm test` sets REDIS_URL when Redis answers (and says so in a banner when it does not).
const REDIS_URL = process.env.REDIS_URL;
const describeWithRedis = REDIS_URL ? describe : describe.skip;
const skipNote = REDIS_URL ? '' : ' (SKIPPED: REDIS_URL is not set)';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) {
      return true;
    }
    await sleep(25);
  }
  return false;
}

describeWithRedis(`Redis rate-limit storage${skipNote}`, () => {
  let storage: RedisThrottlerStorage;

  beforeAll(async () => {
    storage = new RedisThrottlerStorage(REDIS_URL!);
    await storage.onModuleInit();
  });

  afterAll(() => {
    storage.onApplicationShutdown();
  });

  it('starts counting from one again in the next window', async () => {
    const key = `spec-${randomUUID()}`; // new every run: nothing left over from earlier runs
    const windowMs = 300;
    const hit = () => storage.increment(key, windowMs, 1, windowMs, 'identity-spec');
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    const blocked = await hit();
    expect(blocked).toMatchObject({ totalHits: 2, isBlocked: true });
    expect(blocked.timeToExpire).toBe(1);

    await sleep(windowMs + 100);

    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });
});

describeWithRedis(`Redis invalidation bus after a lost connection${skipNote}`, () => {
  let admin: Redis;

  beforeAll(async () => {
    admin = new Redis(REDIS_URL!);
  });

  afterAll(() => {
    admin.disconnect();
  });

  /** Kills only the named subscriber connection (other runs' buses on this Redis are left alone). */
  async function killSubscriber(name: string): Promise<void> {
    const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
    const ids = list
      .split('\n')
      .filter((line) => line.split(' ').includes(`name=${name}`))
      .map((line) => /(?:^| )id=(\d+)/.exec(line)?.[1]);
    expect(ids).toHaveLength(1);
    await admin.call('CLIENT', 'KILL', 'ID', ids[0]!);
  }

  function cacheOver(bus: RedisInvalidationBus): TokenCache {
    const options: ResolvedIdentityOptions = resolveIdentityOptions({
      tokenSecret: 'x'.repeat(40),
      rateLimit: false,
      tokenCache: { ttlMs: 60_000, max: 100 },
      invalidation: { driver: 'redis', url: REDIS_URL! },
    });
    return new TokenCache(options, bus);
  }

  it('empties the cache (INVALIDATE_ALL) once it is back, and hears messages again', async () => {
    const name = `identity-spec-${randomUUID()}`;
    const bus = new RedisInvalidationBus(REDIS_URL!, { connectionName: name });
    const cache = cacheOver(bus);
    await cache.onModuleInit(); // subscribes the cache to the bus
    const other = new RedisInvalidationBus(REDIS_URL!, { connectionName: `${name}-other` });
    await other.subscribe(() => undefined);
    try {
      cache.set('api-key', 'h1', { id: 'k1' }, ['api-key:k1'], cache.ticket());
      expect(cache.size).toBe(1);

      await killSubscriber(name);

      // Messages sent while it was away are lost, so it must forget everything it cached (INVALIDATE_ALL);
      // nothing else would drop the entry within its 60 s TTL.
      expect(await eventually(() => cache.size === 0)).toBe(true);

      cache.set('api-key', 'h2', { id: 'k2' }, ['api-key:k2'], cache.ticket());
      expect(
        await eventually(async () => {
          await other.publish(['api-key:k2']);
          return cache.size === 0;
        }),
      ).toBe(true);
    } finally {
      await other.close();
      await cache.onApplicationShutdown();
    }
  });
});
