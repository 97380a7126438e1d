import { describe, expect, it } from '@jest/globals';
import { resolveIdentityOptions } from '../identity.module-definition.js';
import { resolveExternalUsersOptions } from './external-users.options.js';

const SECRET = 'x'.repeat(40);

describe(resolveExternalUsersOptions.name, () => {
  it('defaults to 24 h tokens and monthly quotas', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET }).externalUsers).toEqual({
      accessTokenTtlSeconds: 86_400,
      quotaPeriod: 'month',
    });
  });

  it('lists every wrong value with the fix, beside the other options’ problems', () => {
    expect(() =>
      resolveIdentityOptions({
        tokenSecret: 'short',
        externalUsers: { accessTokenTtlSeconds: 10, quotaPeriod: 'week' as 'day' },
      }),
    ).toThrow(
      /tokenSecret is 5 characters long[\s\S]*externalUsers\.accessTokenTtlSeconds must be a whole number from 60 to 31536000 \(got 10\)[\s\S]*externalUsers\.quotaPeriod must be 'month' or 'day' \(got 'week'\)/,
    );
  });

  it('accepts a lifetime within bounds', () => {
    const problems: string[] = [];
    expect(
      resolveExternalUsersOptions({ accessTokenTtlSeconds: 3600, quotaPeriod: 'day' }, problems),
    ).toEqual({
      accessTokenTtlSeconds: 3600,
      quotaPeriod: 'day',
    });
    expect(problems).toEqual([]);
  });
});
