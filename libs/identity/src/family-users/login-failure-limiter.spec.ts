import { describe, expect, it } from '@jest/globals';
import { IdentityError } from '../common/errors/identity-error.js';
import { resolveIdentityOptions } from '../identity.module-definition.js';
import { LoginFailureLimiter } from './login-failure-limiter.js';

const SECRET = 's'.repeat(40);

function limiter(loginFailures: { maxPerWindow: number; windowSeconds: number } | false) {
  return new LoginFailureLimiter(
    resolveIdentityOptions({ tokenSecret: SECRET, familyUsers: { loginFailures } }),
  );
}

describe(LoginFailureLimiter.name, () => {
  it('refuses a username after maxPerWindow failures with a 429 saying how long to wait, until the window ends', () => {
    const sut = limiter({ maxPerWindow: 2, windowSeconds: 60 });
    sut.recordFailure('w:jane', 0);
    sut.assertAllowed('w:jane', 0);
    sut.recordFailure('w:jane', 1000);
    let error: unknown;
    try {
      sut.assertAllowed('w:jane', 1000);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).getStatus()).toBe(429);
    expect((error as IdentityError).details.retryAfterSeconds).toBe(59);
    expect(() => sut.assertAllowed('w:john', 1000)).not.toThrow();
    expect(() => sut.assertAllowed('w:jane', 60_000)).not.toThrow();
  });

  it('forgets the failures of a username that logs in', () => {
    const sut = limiter({ maxPerWindow: 1, windowSeconds: 60 });
    sut.recordFailure('w:jane', 0);
    expect(() => sut.assertAllowed('w:jane', 0)).toThrow(IdentityError);
    sut.reset('w:jane');
    expect(() => sut.assertAllowed('w:jane', 0)).not.toThrow();
  });

  it('limits nothing when turned off', () => {
    const sut = limiter(false);
    for (let i = 0; i < 100; i++) {
      sut.recordFailure('w:jane');
    }
    expect(() => sut.assertAllowed('w:jane')).not.toThrow();
  });

  it('defaults to 5 failures per 15 minutes and refuses impossible settings with the fix', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET }).familyUsers).toEqual({
      sessionTtlSeconds: 86_400,
      loginFailures: { maxPerWindow: 5, windowSeconds: 900 },
    });
    expect(() =>
      resolveIdentityOptions({
        tokenSecret: SECRET,
        familyUsers: { sessionTtlSeconds: 10, loginFailures: { maxPerWindow: 0 } },
      }),
    ).toThrow(
      /familyUsers\.sessionTtlSeconds must be a whole number from 60[\s\S]*familyUsers\.loginFailures\.maxPerWindow/,
    );
  });
});
