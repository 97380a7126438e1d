import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { resolveIdentityOptions } from '../../identity.module-definition.js';
import { IdentityErrorCode } from '../errors/identity-error.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { RateLimiter } from './rate-limiter.js';

const options = (perSecond: number) =>
  resolveIdentityOptions({ tokenSecret: 'x'.repeat(32), rateLimit: { perSecond } }, {});

describe(RateLimiter.name, () => {
  it('lets perSecond requests through, then refuses with a 429 and sets Retry-After', async () => {
    const sut = new RateLimiter(options(2), new MemoryThrottlerStorage());
    const headers: Record<string, string> = {};
    const response = { setHeader: (name: string, value: string) => (headers[name] = value) };
    await sut.consume('k', response);
    await sut.consume('k', response);
    await expect(sut.consume('k', response)).rejects.toMatchObject({ code: IdentityErrorCode.RateLimited });
    expect(Number(headers['Retry-After'])).toBeGreaterThanOrEqual(1);
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
