import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';

const TTL = 1000;
const LIMIT = 3;

describe('MemoryThrottlerStorage', () => {
  let storage: MemoryThrottlerStorage;
  let now: number;

  beforeEach(() => {
    now = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    storage = new MemoryThrottlerStorage();
  });

  afterEach(() => {
    jest.restoreAllMocks();
  });

  const hit = (key = 'key-1', throttler = 'identity', ttl = TTL) =>
    storage.increment(key, ttl, LIMIT, ttl, throttler);

  it('counts the hits of one key within one window', async () => {
    expect((await hit()).totalHits).toBe(1);
    now += 300;
    expect((await hit()).totalHits).toBe(2);
    now += 300;
    expect((await hit()).totalHits).toBe(3);
  });

  it('lets through up to the limit and blocks every hit past it until the window ends', async () => {
    for (let i = 1; i <= LIMIT; i++) {
      expect(await hit()).toEqual({ totalHits: i, timeToExpire: 1, isBlocked: false, timeToBlockExpire: 0 });
    }
    expect(await hit()).toEqual({
      totalHits: LIMIT + 1,
      timeToExpire: 1,
      isBlocked: true,
      timeToBlockExpire: 1,
    });
    now += TTL - 1;
    expect((await hit()).isBlocked).toBe(true);
  });

  it('starts a new window once the ttl has passed', async () => {
    for (let i = 0; i <= LIMIT; i++) {
      await hit();
    }
    now += TTL;
    expect(await hit()).toEqual({ totalHits: 1, timeToExpire: 1, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('keeps the window fixed: hits late in a window do not extend it', async () => {
    await hit();
    now += 900;
    await hit();
    now += 100;
    expect((await hit()).totalHits).toBe(1);
  });

  it('reports the whole seconds left in the window, never less than 1', async () => {
    expect((await hit('k', 'identity', 60_000)).timeToExpire).toBe(60);
    now += 30_500;
    expect((await hit('k', 'identity', 60_000)).timeToExpire).toBe(30);
    now += 29_499;
    expect((await hit('k', 'identity', 60_000)).timeToExpire).toBe(1);
  });

  it('counts each key separately', async () => {
    for (let i = 0; i <= LIMIT; i++) {
      await hit('key-1');
    }
    expect(await hit('key-2')).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(await hit('key-1')).toMatchObject({ totalHits: LIMIT + 2, isBlocked: true });
  });

  it('counts the same key separately per throttler name', async () => {
    await hit('key-1', 'identity');
    await hit('key-1', 'identity');
    expect((await hit('key-1', 'other')).totalHits).toBe(1);
  });

  it('starts a key again from one after a pause in which other keys were hit', async () => {
    await hit('key-1');
    await hit('key-1');
    now += 5000;
    await hit('key-2');
    expect((await hit('key-1')).totalHits).toBe(1);
  });
});
