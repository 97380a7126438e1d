import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { IDENTITY_INVALIDATION_BUS, IDENTITY_RESOLVED_OPTIONS } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';
import { INVALIDATE_ALL, type InvalidationBus } from './invalidation/invalidation-bus.js';

interface Entry {
  value: unknown;
  tags: readonly string[];
}

/**
 * In-process LRU of verified credentials, keyed by their hash. Entries carry tags naming what they
 * depend on (`api-key:<id>`, `user-group:<id>`); invalidating a tag drops them here at once and, through
 * the invalidation bus, on every other instance. No entry outlives `tokenCache.ttlMs`.
 */
@Injectable()
export class TokenCache implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('IdentityTokenCache');
  private readonly entries: LRUCache<string, Entry> | undefined;
  private readonly keysByTag = new Map<string, Set<string>>();
  /** Counts invalidations seen here (local or from the bus); see `ticket()`. */
  private invalidations = 0;

  constructor(
    @Inject(IDENTITY_RESOLVED_OPTIONS) options: ResolvedIdentityOptions,
    @Inject(IDENTITY_INVALIDATION_BUS) private readonly bus: InvalidationBus,
  ) {
    const { ttlMs, max } = options.tokenCache;
    this.entries =
      ttlMs === 0
        ? undefined
        : new LRUCache<string, Entry>({
            max,
            ttl: ttlMs,
            ttlAutopurge: false,
            dispose: (entry, key) => this.untag(key, entry.tags),
          });
  }

  async onModuleInit(): Promise<void> {
    await this.bus.subscribe((tags) => this.dropLocally(tags));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }

  /** The cached value for `kind` + `hash`, or undefined on a miss or an expired entry. */
  get<T>(kind: string, hash: string): T | undefined {
    return this.entries?.get(`${kind}:${hash}`)?.value as T | undefined;
  }

  /**
   * Take a ticket before reading a credential from the database and hand it to `set()`: if any
   * invalidation arrived in between, the read may predate it (a rotation committing meanwhile, or its
   * message from another instance), so `set()` does not cache that result.
   */
  ticket(): number {
    return this.invalidations;
  }

  /** Caches a verified credential under the tags it depends on, unless an invalidation came after `ticket`. */
  set(kind: string, hash: string, value: unknown, tags: readonly string[], ticket: number): void {
    if (!this.entries || ticket !== this.invalidations) {
      return;
    }
    const key = `${kind}:${hash}`;
    this.entries.set(key, { value, tags });
    for (const tag of tags) {
      let keys = this.keysByTag.get(tag);
      if (!keys) {
        keys = new Set();
        this.keysByTag.set(tag, keys);
      }
      keys.add(key);
    }
  }

  /** Drops every entry with one of the tags, here and on every other instance. */
  async invalidate(tags: readonly string[]): Promise<void> {
    this.dropLocally(tags);
    try {
      await this.bus.publish([...tags]);
    } catch (err) {
      // The TTL still bounds how long another instance can serve the stale entry.
      this.logger.error(`Could not publish an invalidation: ${(err as Error).message}`);
    }
  }

  /** Number of live entries; for diagnostics and tests. */
  get size(): number {
    return this.entries?.size ?? 0;
  }

  private dropLocally(tags: readonly string[]): void {
    this.invalidations++;
    if (!this.entries) {
      return;
    }
    if (tags.includes(INVALIDATE_ALL)) {
      this.entries.clear();
      this.keysByTag.clear();
      return;
    }
    for (const tag of tags) {
      for (const key of [...(this.keysByTag.get(tag) ?? [])]) {
        this.entries.delete(key);
      }
      this.keysByTag.delete(tag);
    }
  }

  private untag(key: string, tags: readonly string[]): void {
    for (const tag of tags) {
      const keys = this.keysByTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) {
        this.keysByTag.delete(tag);
      }
    }
  }
}
