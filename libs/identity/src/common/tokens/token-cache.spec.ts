import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { resolveIdentityOptions } from '../../identity.module-definition.js';
import { INVALIDATE_ALL, type InvalidationBus } from './invalidation/invalidation-bus.js';
import { LocalInvalidationBus } from './invalidation/local-invalidation.bus.js';
import { TokenCache } from './token-cache.js';

function options(tokenCache: { ttlMs?: number; max?: number } = {}) {
  return resolveIdentityOptions({ tokenSecret: 'x'.repeat(32), tokenCache }, {});
}

/** A bus that records what is published and hands the test the listener the cache subscribes. */
class FakeBus implements InvalidationBus {
  readonly published: string[][] = [];
  listener?: (tags: string[]) => void;
  publishError?: Error;

  async publish(tags: string[]): Promise<void> {
    if (this.publishError) {
      throw this.publishError;
    }
    this.published.push(tags);
  }

  async subscribe(listener: (tags: string[]) => void): Promise<void> {
    this.listener = listener;
  }

  async close(): Promise<void> {}

  /** Delivers tags as if another instance had published them. */
  receive(tags: string[]): void {
    if (!this.listener) {
      throw new Error('the cache has not subscribed');
    }
    this.listener(tags);
  }
}

describe('TokenCache', () => {
  let cache: TokenCache;

  beforeEach(() => {
    cache = new TokenCache(options(), new LocalInvalidationBus());
  });

  it('returns what was cached under a kind and hash, and nothing for an unknown one', () => {
    cache.set('api-key', 'h1', { id: 'k1' }, ['api-key:k1'], cache.ticket());
    expect(cache.get('api-key', 'h1')).toEqual({ id: 'k1' });
    expect(cache.get('api-key', 'h2')).toBeUndefined();
    expect(cache.get('user-group', 'h1')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('replaces the value cached under the same kind and hash', () => {
    cache.set('api-key', 'h1', 'first', ['api-key:k1'], cache.ticket());
    cache.set('api-key', 'h1', 'second', ['api-key:k1'], cache.ticket());
    expect(cache.get('api-key', 'h1')).toBe('second');
    expect(cache.size).toBe(1);
  });

  it('drops only the entries carrying an invalidated tag', async () => {
    cache.set('api-key', 'h1', 'one', ['api-key:k1'], cache.ticket());
    cache.set('api-key', 'h2', 'two', ['api-key:k1'], cache.ticket());
    cache.set('api-key', 'h3', 'three', ['api-key:k2'], cache.ticket());
    await cache.invalidate(['api-key:k1']);
    expect(cache.get('api-key', 'h1')).toBeUndefined();
    expect(cache.get('api-key', 'h2')).toBeUndefined();
    expect(cache.get('api-key', 'h3')).toBe('three');
  });

  it('drops an entry with two tags when either tag is invalidated', async () => {
    const tags = ['api-key:k1', 'user-group:g1'];
    cache.set('user-group', 'h1', 'token', tags, cache.ticket());
    await cache.invalidate(['api-key:k1']);
    expect(cache.get('user-group', 'h1')).toBeUndefined();

    cache.set('user-group', 'h1', 'token', tags, cache.ticket());
    await cache.invalidate(['user-group:g1']);
    expect(cache.get('user-group', 'h1')).toBeUndefined();
  });

  it('still drops an entry by its other tag after one of its tags was invalidated and it was cached again', async () => {
    cache.set('user-group', 'h1', 'token', ['api-key:k1', 'user-group:g1'], cache.ticket());
    cache.set('user-group', 'h2', 'other', ['user-group:g1'], cache.ticket());
    await cache.invalidate(['api-key:k1']);
    cache.set('user-group', 'h1', 'token', ['api-key:k1', 'user-group:g1'], cache.ticket());
    await cache.invalidate(['user-group:g1']);
    expect(cache.get('user-group', 'h1')).toBeUndefined();
    expect(cache.get('user-group', 'h2')).toBeUndefined();
  });

  it('forgets the old tags of an entry cached again under new ones', async () => {
    cache.set('api-key', 'h1', 'old', ['api-key:k1'], cache.ticket());
    cache.set('api-key', 'h1', 'new', ['api-key:k2'], cache.ticket());
    await cache.invalidate(['api-key:k1']);
    expect(cache.get('api-key', 'h1')).toBe('new');
    await cache.invalidate(['api-key:k2']);
    expect(cache.get('api-key', 'h1')).toBeUndefined();
  });

  it('invalidating a tag nobody carries changes nothing', async () => {
    cache.set('api-key', 'h1', 'one', ['api-key:k1'], cache.ticket());
    await cache.invalidate(['api-key:unknown']);
    expect(cache.get('api-key', 'h1')).toBe('one');
  });

  it('evicts the least recently used entry beyond max, and invalidating its tag leaves the others', async () => {
    cache = new TokenCache(options({ max: 2 }), new LocalInvalidationBus());
    cache.set('api-key', 'h1', 'one', ['t1'], cache.ticket());
    cache.set('api-key', 'h2', 'two', ['t2'], cache.ticket());
    expect(cache.get('api-key', 'h1')).toBe('one');
    cache.set('api-key', 'h3', 'three', ['t3'], cache.ticket());
    expect(cache.get('api-key', 'h2')).toBeUndefined();
    await cache.invalidate(['t2']);
    expect(cache.get('api-key', 'h1')).toBe('one');
    expect(cache.get('api-key', 'h3')).toBe('three');
  });

  it('caches nothing when ttlMs is 0', async () => {
    cache = new TokenCache(options({ ttlMs: 0 }), new LocalInvalidationBus());
    cache.set('api-key', 'h1', 'one', ['api-key:k1'], cache.ticket());
    expect(cache.get('api-key', 'h1')).toBeUndefined();
    expect(cache.size).toBe(0);
    await expect(cache.invalidate(['api-key:k1'])).resolves.toBeUndefined();
  });

  it('stops returning an entry once its TTL has passed', async () => {
    cache = new TokenCache(options({ ttlMs: 30 }), new LocalInvalidationBus());
    cache.set('api-key', 'h1', 'one', ['api-key:k1'], cache.ticket());
    expect(cache.get('api-key', 'h1')).toBe('one');
    await sleep(60);
    expect(cache.get('api-key', 'h1')).toBeUndefined();
  });

  describe('with an invalidation bus', () => {
    let bus: FakeBus;

    beforeEach(async () => {
      bus = new FakeBus();
      cache = new TokenCache(options(), bus);
      await cache.onModuleInit();
    });

    afterEach(() => {
      jest.restoreAllMocks();
    });

    it('publishes the invalidated tags to the other instances', async () => {
      await cache.invalidate(['api-key:k1', 'user-group:g1']);
      expect(bus.published).toEqual([['api-key:k1', 'user-group:g1']]);
    });

    it('drops the entries of tags another instance invalidated', () => {
      cache.set('api-key', 'h1', 'one', ['api-key:k1'], cache.ticket());
      cache.set('api-key', 'h2', 'two', ['api-key:k2'], cache.ticket());
      bus.receive(['api-key:k1']);
      expect(cache.get('api-key', 'h1')).toBeUndefined();
      expect(cache.get('api-key', 'h2')).toBe('two');
    });

    it('drops everything on an INVALIDATE_ALL message', () => {
      cache.set('api-key', 'h1', 'one', ['api-key:k1'], cache.ticket());
      cache.set('user-group', 'h2', 'two', ['user-group:g1'], cache.ticket());
      bus.receive([INVALIDATE_ALL]);
      expect(cache.get('api-key', 'h1')).toBeUndefined();
      expect(cache.get('user-group', 'h2')).toBeUndefined();
      expect(cache.size).toBe(0);
    });

    it('still drops the entries locally and resolves when publishing fails', async () => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      bus.publishError = new Error('connection lost');
      cache.set('api-key', 'h1', 'one', ['api-key:k1'], cache.ticket());
      await expect(cache.invalidate(['api-key:k1'])).resolves.toBeUndefined();
      expect(cache.get('api-key', 'h1')).toBeUndefined();
      expect(logged).toHaveBeenCalledWith(expect.stringContaining('connection lost'));
    });

    it('closes the bus on application shutdown', async () => {
      const close = jest.spyOn(bus, 'close');
      await cache.onApplicationShutdown();
      expect(close).toHaveBeenCalledTimes(1);
    });
  });

  describe('ticket', () => {
    it('does not cache a read that an invalidation overtook, here or from another instance', async () => {
      let remote: (tags: string[]) => void = () => undefined;
      const bus: InvalidationBus = {
        publish: async () => undefined,
        subscribe: async (listener) => {
          remote = listener;
        },
        close: async () => undefined,
      };
      const cache = new TokenCache(resolveIdentityOptions({ tokenSecret: 'x'.repeat(32) }), bus);
      await cache.onModuleInit();

      const beforeLocal = cache.ticket();
      await cache.invalidate(['user-group:g1']); // e.g. a rotation commits while the read is in flight
      cache.set('user-group', 'h1', 'stale', ['user-group:g1'], beforeLocal);
      expect(cache.get('user-group', 'h1')).toBeUndefined();

      const beforeRemote = cache.ticket();
      remote(['user-group:g1']);
      cache.set('user-group', 'h1', 'stale', ['user-group:g1'], beforeRemote);
      expect(cache.get('user-group', 'h1')).toBeUndefined();

      cache.set('user-group', 'h1', 'fresh', ['user-group:g1'], cache.ticket());
      expect(cache.get('user-group', 'h1')).toBe('fresh');
    });
  });
});
