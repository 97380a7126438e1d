import { describe, expect, it } from '@jest/globals';
import { type IdentityModuleOptions, resolveIdentityOptions } from '../../identity.module-definition.js';
import { IdentityError, IdentityErrorCode, IdentityErrorReason } from '../errors/identity-error.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';

const T0 = 1_700_000_000_000;

function limiter(
  authFailures: IdentityModuleOptions['authFailures'] = { maxPerWindow: 3, windowSeconds: 60 },
) {
  return new AuthFailureLimiter(resolveIdentityOptions({ tokenSecret: 'x'.repeat(32), authFailures }, {}));
}

function fail(sut: AuthFailureLimiter, client: string, times: number, now = T0): void {
  for (let i = 0; i < times; i++) {
    sut.recordFailure(client, now);
  }
}

function refusal(fn: () => void): IdentityError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    return err as IdentityError;
  }
  throw new Error('expected a refusal');
}

describe(AuthFailureLimiter.name, () => {
  it('allows maxPerWindow failures, then refuses the client with 429 TooManyFailures', () => {
    const sut = limiter();
    fail(sut, 'ip:a', 2);
    expect(() => sut.assertAllowed('ip:a', T0)).not.toThrow();
    fail(sut, 'ip:a', 1);
    const err = refusal(() => sut.assertAllowed('ip:a', T0 + 1_000));
    expect(err.code).toBe(IdentityErrorCode.RateLimited);
    expect(err.reason).toBe(IdentityErrorReason.TooManyFailures);
    expect(err.getStatus()).toBe(429);
  });

  it('says how many whole seconds remain of the window, at least one', () => {
    const sut = limiter();
    fail(sut, 'ip:a', 3);
    expect(refusal(() => sut.assertAllowed('ip:a', T0 + 20_500)).details.retryAfterSeconds).toBe(40);
    expect(refusal(() => sut.assertAllowed('ip:a', T0 + 59_999)).details.retryAfterSeconds).toBe(1);
  });

  it('lets the client in again once the window is over, and counts afresh', () => {
    const sut = limiter();
    fail(sut, 'ip:a', 3);
    const later = T0 + 60_000;
    expect(() => sut.assertAllowed('ip:a', later)).not.toThrow();
    fail(sut, 'ip:a', 2, later);
    expect(() => sut.assertAllowed('ip:a', later)).not.toThrow();
    fail(sut, 'ip:a', 1, later);
    expect(() => sut.assertAllowed('ip:a', later)).toThrow(IdentityError);
  });

  it('starts a window at the first failure, not at a fixed clock', () => {
    const sut = limiter();
    fail(sut, 'ip:a', 2, T0);
    fail(sut, 'ip:a', 1, T0 + 59_000); // same window: the third failure
    expect(() => sut.assertAllowed('ip:a', T0 + 59_500)).toThrow(IdentityError);
  });

  it('keeps each client’s count apart', () => {
    const sut = limiter();
    fail(sut, 'ip:a', 3);
    fail(sut, 'ip:b', 2);
    expect(() => sut.assertAllowed('ip:a', T0)).toThrow(IdentityError);
    expect(() => sut.assertAllowed('ip:b', T0)).not.toThrow();
    expect(() => sut.assertAllowed('ip:c', T0)).not.toThrow();
  });

  it('never refuses when turned off with authFailures: false', () => {
    const sut = limiter(false);
    fail(sut, 'ip:a', 1_000);
    expect(() => sut.assertAllowed('ip:a', T0)).not.toThrow();
  });
});
