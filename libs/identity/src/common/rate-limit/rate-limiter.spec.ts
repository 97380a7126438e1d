import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { resolveIdentityOptions } from '../../identity.module-definition.js';
import { type IdentityError, IdentityErrorCode } from '../errors/identity-error.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { RateLimiter } from './rate-limiter.js';
import type { ThrottlerStorage } from './memory-throttler.storage.js';

const options = (perSecond: number) =>
  resolveIdentityOptions({ tokenSecret: 'x'.repeat(32), rateLimit: { perSecond } }, {});

/** The public, promise-returning consume. */
const consumed = (sut: RateLimiter, subject: string) => sut.consume(subject);

describe(RateLimiter.name, () => {
  it('lets perSecond requests through, then refuses with a 429 saying when to retry', async () => {
    const sut = new RateLimiter(options(2), new MemoryThrottlerStorage());
    await consumed(sut, 'k');
    await consumed(sut, 'k');
    const refused = consumed(sut, 'k');
    await expect(refused).rejects.toMatchObject({ code: IdentityErrorCode.RateLimited });
    const error = (await refused.catch((err: unknown) => err)) as IdentityError;
    expect(error.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error.getStatus()).toBe(429);
  });

  it('serves requests, with a warning, when the counter store fails (Redis down)', async () => {
    const failing: ThrottlerStorage = { increment: () => Promise.reject(new Error('connect ECONNREFUSED')) };
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const sut = new RateLimiter(options(1), failing);
      await expect(consumed(sut, 'k')).resolves.toBeUndefined();
      await expect(consumed(sut, 'k')).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1); // not once per request
      expect(String(warn.mock.calls[0][0])).toContain('ECONNREFUSED');
    } finally {
      warn.mockRestore();
    }
  });

  it('answers synchronously with the in-process store (the guard hot path waits for nothing)', () => {
    const sut = new RateLimiter(options(1), new MemoryThrottlerStorage());
    expect(sut.consumeNow('k')).toBeUndefined();
    expect(() => sut.consumeNow('k')).toThrow(
      expect.objectContaining({ code: IdentityErrorCode.RateLimited }),
    );
  });

  it('waits for any other store (Redis) and refuses through the promise', async () => {
    const memory = new MemoryThrottlerStorage();
    const remote: ThrottlerStorage = { increment: (...args) => memory.increment(...args) };
    const sut = new RateLimiter(options(1), remote);
    const first = sut.consumeNow('k');
    expect(first).toBeInstanceOf(Promise);
    await first;
    await expect(Promise.resolve(sut.consumeNow('k'))).rejects.toMatchObject({
      code: IdentityErrorCode.RateLimited,
    });
  });

  it('never skips a store that overrides increment, even one built on the in-process store', async () => {
    const increment = jest.fn<() => void>();
    class CountingStorage extends MemoryThrottlerStorage {
      override increment(...args: Parameters<MemoryThrottlerStorage['increment']>) {
        increment();
        return super.increment(...args);
      }
    }
    const sut = new RateLimiter(options(1), new CountingStorage());
    await consumed(sut, 'k');
    expect(increment).toHaveBeenCalledTimes(1);
  });
});
