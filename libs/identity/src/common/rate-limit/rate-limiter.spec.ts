import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { resolveIdentityOptions } from '../../identity.module-definition.js';
import { type IdentityError, IdentityErrorCode } from '../errors/identity-error.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { RateLimiter } from './rate-limiter.js';
import type { ThrottlerStorage } from './memory-throttler.storage.js';

const options = (perSecond: number) =>
  resolveIdentityOptions({ tokenSecret: 'x'.repeat(32), rateLimit: { perSecond } }, {});

describe(RateLimiter.name, () => {
  it('lets perSecond requests through, then refuses with a 429 saying when to retry', async () => {
    const sut = new RateLimiter(options(2), new MemoryThrottlerStorage());
    await sut.consume('k');
    await sut.consume('k');
    const refused = sut.consume('k');
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
      await expect(sut.consume('k')).resolves.toBeUndefined();
      await expect(sut.consume('k')).resolves.toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1); // not once per request
      expect(String(warn.mock.calls[0][0])).toContain('ECONNREFUSED');
    } finally {
      warn.mockRestore();
    }
  });
});
