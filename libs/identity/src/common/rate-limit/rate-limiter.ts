import { Inject, Injectable, Logger } from '@nestjs/common';
import { IDENTITY_RESOLVED_OPTIONS, IDENTITY_THROTTLER_STORAGE } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';
import { IdentityError, IdentityErrorReason } from '../errors/identity-error.js';
import {
  MemoryThrottlerStorage,
  type ThrottlerStorage,
  type ThrottlerStorageRecord,
} from './memory-throttler.storage.js';

/** Per-credential request limit (Dixa: 10 requests per second per API key) over a @nestjs/throttler storage. */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('IdentityRateLimit');
  private lastWarning = 0;
  /** The store, when it is the in-process one with its own `increment` (a subclass's is never skipped). */
  private readonly inProcess: MemoryThrottlerStorage | undefined;

  constructor(
    @Inject(IDENTITY_RESOLVED_OPTIONS) private readonly options: ResolvedIdentityOptions,
    @Inject(IDENTITY_THROTTLER_STORAGE) private readonly storage: ThrottlerStorage,
  ) {
    this.inProcess =
      storage instanceof MemoryThrottlerStorage &&
      storage.increment === MemoryThrottlerStorage.prototype.increment
        ? storage
        : undefined;
  }

  private warnStorageDown(err: unknown): void {
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(`Rate limit not enforced: the counter store failed (${(err as Error).message})`);
    }
  }

  /**
   * Counts one request of `subject`; over the limit, rejects with a 429 `IdentityError` with the
   * seconds to wait (the guard and the surface filters turn them into `Retry-After`).
   */
  async consume(subject: string): Promise<void> {
    return this.consumeNow(subject);
  }

  /**
   * `consume` without a promise when it can: with the in-process store it answers (or throws the 429)
   * synchronously; with another store (Redis) it returns the promise. The guards' hot path uses it.
   */
  consumeNow(subject: string): void | Promise<void> {
    const limit = this.options.rateLimit;
    if (limit === false) {
      return;
    }
    if (this.inProcess) {
      return this.judge(this.inProcess.hit(subject, 1000, limit.perSecond, 'identity'), limit.perSecond);
    }
    return this.consumeAsync(subject, limit.perSecond);
  }

  private async consumeAsync(subject: string, perSecond: number): Promise<void> {
    let record: ThrottlerStorageRecord;
    try {
      record = await this.storage.increment(subject, 1000, perSecond, 1000, 'identity');
    } catch (err) {
      // The counter store (Redis) is down: serve the request rather than fail every call with it.
      this.warnStorageDown(err);
      return;
    }
    this.judge(record, perSecond);
  }

  private judge(record: ThrottlerStorageRecord, perSecond: number): void {
    if (record.isBlocked || record.totalHits > perSecond) {
      throw IdentityError.tooManyRequests(
        IdentityErrorReason.RateLimited,
        `Rate limit exceeded: at most ${perSecond} requests per second per API key.`,
        Math.max(1, record.timeToBlockExpire || record.timeToExpire),
      );
    }
  }
}
