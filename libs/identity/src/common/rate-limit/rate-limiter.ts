import { Inject, Injectable, Logger } from '@nestjs/common';
import { IDENTITY_RESOLVED_OPTIONS, IDENTITY_THROTTLER_STORAGE } from '../../identity.constants.js';
import type { ResolvedIdentityOptions } from '../../identity.module-definition.js';
import { IdentityError, IdentityErrorReason } from '../errors/identity-error.js';
import type { ThrottlerStorage } from './memory-throttler.storage.js';

/** Per-credential request limit (Dixa: 10 requests per second per API key) over a @nestjs/throttler storage. */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('IdentityRateLimit');
  private lastWarning = 0;

  constructor(
    @Inject(IDENTITY_RESOLVED_OPTIONS) private readonly options: ResolvedIdentityOptions,
    @Inject(IDENTITY_THROTTLER_STORAGE) private readonly storage: ThrottlerStorage,
  ) {}

  private warnStorageDown(err: unknown): void {
    if (Date.now() - this.lastWarning > 10_000) {
      this.lastWarning = Date.now();
      this.logger.warn(`Rate limit not enforced: the counter store failed (${(err as Error).message})`);
    }
  }

  /**
   * Counts one request of `subject`; over the limit, throws a 429 `IdentityError` with the seconds to
   * wait (the guard and the surface filters turn them into `Retry-After`).
   */
  async consume(subject: string): Promise<void> {
    const limit = this.options.rateLimit;
    if (limit === false) {
      return;
    }
    let record: Awaited<ReturnType<ThrottlerStorage['increment']>>;
    try {
      record = await this.storage.increment(subject, 1000, limit.perSecond, 1000, 'identity');
    } catch (err) {
      // The counter store (Redis) is down: serve the request rather than fail every call with it.
      this.warnStorageDown(err);
      return;
    }
    if (record.isBlocked || record.totalHits > limit.perSecond) {
      throw IdentityError.tooManyRequests(
        IdentityErrorReason.RateLimited,
        `Rate limit exceeded: at most ${limit.perSecond} requests per second per API key.`,
        Math.max(1, record.timeToBlockExpire || record.timeToExpire),
      );
    }
  }
}
