/** What a rate-limit storage answers for one hit (the shape of @nestjs/throttler's `ThrottlerStorageRecord`). */
export interface ThrottlerStorageRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

/**
 * The rate-limit counter store behind `IDENTITY_THROTTLER_STORAGE`: the same interface as @nestjs/throttler's
 * `ThrottlerStorage` (declared here so the library does not depend on that package), so a throttler
 * storage of the host's fits as is.
 */
export interface ThrottlerStorage {
  increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord>;
}

/** The record of a fixed window: `hits` so far, `msLeft` until it resets; blocked once over `limit`. */
export function fixedWindowRecord(hits: number, limit: number, msLeft: number): ThrottlerStorageRecord {
  const timeToExpire = Math.max(1, Math.ceil(msLeft / 1000));
  const isBlocked = hits > limit;
  return { totalHits: hits, timeToExpire, isBlocked, timeToBlockExpire: isBlocked ? timeToExpire : 0 };
}

interface Window {
  hits: number;
  resetAt: number;
}

/**
 * In-process @nestjs/throttler storage with the same fixed-window semantics as `RedisThrottlerStorage`.
 * (The library implements the storage interface itself: @nestjs/throttler's own classes are CommonJS
 * that `require` the ESM-only Nest 12 and cannot load under Jest's ESM runtime.)
 */
export class MemoryThrottlerStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, Window>();
  private nextSweep = 0;

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    return this.hit(key, ttl, limit, throttlerName);
  }

  /** `increment` without a promise: the rate limiter's hot path uses it when this is its store. */
  hit(key: string, ttl: number, limit: number, throttlerName: string): ThrottlerStorageRecord {
    const now = Date.now();
    this.sweep(now);
    const id = `${throttlerName}:${key}`;
    let window = this.windows.get(id);
    if (!window || window.resetAt <= now) {
      window = { hits: 0, resetAt: now + ttl };
      this.windows.set(id, window);
    }
    window.hits += 1;
    const timeToExpire = Math.max(1, Math.ceil((window.resetAt - now) / 1000));
    const isBlocked = window.hits > limit;
    return {
      totalHits: window.hits,
      timeToExpire,
      isBlocked,
      timeToBlockExpire: isBlocked ? timeToExpire : 0,
    };
  }

  /** Drops finished windows at most once a second, so idle keys do not pile up. */
  private sweep(now: number): void {
    if (now < this.nextSweep) {
      return;
    }
    this.nextSweep = now + 1000;
    for (const [id, window] of this.windows) {
      if (window.resetAt <= now) {
        this.windows.delete(id);
      }
    }
  }
}
