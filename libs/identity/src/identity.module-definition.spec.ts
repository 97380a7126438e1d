import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IDENTITY_FEATURES, type IdentityFeature } from './identity.constants.js';
import {
  IdentityOptionsError,
  resolveIdentityOptions,
  resolveIdentityShape,
  type IdentityModuleExtras,
  type IdentityModuleOptions,
} from './identity.module-definition.js';

const SECRET = 's'.repeat(32);
const DEV = { NODE_ENV: 'development' };
const PRODUCTION = { NODE_ENV: 'production' };

function optionsError(fn: () => unknown): IdentityOptionsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityOptionsError);
    return err as IdentityOptionsError;
  }
  throw new Error('expected an IdentityOptionsError');
}

describe('resolveIdentityOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET }, DEV)).toEqual({
      tokenSecret: SECRET,
      rateLimit: { perSecond: 10 },
      redisUrl: undefined,
      tokenCache: { ttlMs: 5000, max: 10_000 },
      invalidation: { driver: 'local' },
      userGroups: { rotationGraceSeconds: 0 },
    });
  });

  it('falls back to a development secret of at least 32 characters outside production', () => {
    const resolved = resolveIdentityOptions({}, DEV);
    expect(resolved.tokenSecret.length).toBeGreaterThanOrEqual(32);
    expect(resolveIdentityOptions({}, {}).tokenSecret).toBe(resolved.tokenSecret);
    expect(resolveIdentityOptions({ tokenSecret: '' }, DEV).tokenSecret).toBe(resolved.tokenSecret);
  });

  it('refuses a missing tokenSecret under NODE_ENV=production, saying how to fix it', () => {
    const err = optionsError(() => resolveIdentityOptions({}, PRODUCTION));
    expect(err.name).toBe('IdentityOptionsError');
    expect(err.message).toContain('tokenSecret is missing');
    expect(err.message).toContain('at least 32 characters');
  });

  it('refuses an empty tokenSecret under NODE_ENV=production', () => {
    expect(optionsError(() => resolveIdentityOptions({ tokenSecret: '' }, PRODUCTION)).message).toContain(
      'tokenSecret',
    );
  });

  it('accepts a 32-character tokenSecret in production', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET }, PRODUCTION).tokenSecret).toBe(SECRET);
  });

  it('refuses a tokenSecret shorter than 32 characters, in any environment', () => {
    expect(
      optionsError(() => resolveIdentityOptions({ tokenSecret: 'x'.repeat(31) }, DEV)).message,
    ).toContain('tokenSecret is 31 characters long');
    expect(() => resolveIdentityOptions({ tokenSecret: 'short' }, PRODUCTION)).toThrow(IdentityOptionsError);
  });

  it('lists every problem in one error', () => {
    const err = optionsError(() =>
      resolveIdentityOptions(
        {
          tokenSecret: 'short',
          rateLimit: { perSecond: 0 },
          tokenCache: { ttlMs: -1, max: 0 },
          invalidation: { driver: 'redis', url: '' },
          userGroups: { rotationGraceSeconds: 61 },
        },
        DEV,
      ),
    );
    const lines = err.message.split('\n').slice(1);
    expect(err.message.split('\n')[0]).toBe('IdentityModule options are invalid:');
    expect(lines).toEqual([
      expect.stringContaining('tokenSecret'),
      expect.stringContaining('rateLimit.perSecond'),
      expect.stringContaining('tokenCache.ttlMs'),
      expect.stringContaining('tokenCache.max'),
      expect.stringContaining('invalidation.url'),
      expect.stringContaining('userGroups.rotationGraceSeconds'),
    ]);
    for (const line of lines) {
      expect(line.startsWith('  - ')).toBe(true);
    }
  });

  it('accepts every whole rotationGraceSeconds from 0 to 60', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), (grace) => {
        const resolved = resolveIdentityOptions(
          { tokenSecret: SECRET, userGroups: { rotationGraceSeconds: grace } },
          DEV,
        );
        expect(resolved.userGroups.rotationGraceSeconds).toBe(grace);
      }),
    );
  });

  it('refuses a rotationGraceSeconds below 0, above 60 or not whole', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.integer({ max: -1 }),
          fc.integer({ min: 61 }),
          fc.double({ min: 0, max: 60, noNaN: true }).filter((n) => !Number.isInteger(n)),
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY),
        ),
        (grace) => {
          expect(
            optionsError(() =>
              resolveIdentityOptions(
                { tokenSecret: SECRET, userGroups: { rotationGraceSeconds: grace } },
                DEV,
              ),
            ).message,
          ).toContain('userGroups.rotationGraceSeconds must be a whole number from 0 to 60');
        },
      ),
    );
  });

  it('turns the rate limit off with false and keeps a valid perSecond', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET, rateLimit: false }, DEV).rateLimit).toBe(false);
    expect(
      resolveIdentityOptions({ tokenSecret: SECRET, rateLimit: { perSecond: 3 } }, DEV).rateLimit,
    ).toEqual({
      perSecond: 3,
    });
    expect(resolveIdentityOptions({ tokenSecret: SECRET, rateLimit: {} }, DEV).rateLimit).toEqual({
      perSecond: 10,
    });
  });

  it('accepts a token cache TTL from 0 to 60000 ms and refuses one outside it', () => {
    expect(
      resolveIdentityOptions({ tokenSecret: SECRET, tokenCache: { ttlMs: 0 } }, DEV).tokenCache.ttlMs,
    ).toBe(0);
    expect(
      resolveIdentityOptions({ tokenSecret: SECRET, tokenCache: { ttlMs: 60_000 } }, DEV).tokenCache.ttlMs,
    ).toBe(60_000);
    expect(() => resolveIdentityOptions({ tokenSecret: SECRET, tokenCache: { ttlMs: 60_001 } }, DEV)).toThrow(
      'tokenCache.ttlMs',
    );
  });

  it('requires a url with the postgres and redis invalidation drivers, and refuses unknown drivers', () => {
    expect(() =>
      resolveIdentityOptions({ tokenSecret: SECRET, invalidation: { driver: 'postgres', url: '' } }, DEV),
    ).toThrow("invalidation.url is required with the 'postgres' driver");
    const invalidation = { driver: 'redis', url: 'redis://localhost:6379' } as const;
    expect(resolveIdentityOptions({ tokenSecret: SECRET, invalidation }, DEV).invalidation).toEqual(
      invalidation,
    );
    const unknown = { invalidation: { driver: 'kafka' } } as unknown as IdentityModuleOptions;
    expect(() => resolveIdentityOptions({ tokenSecret: SECRET, ...unknown }, DEV)).toThrow(
      'invalidation.driver',
    );
  });

  it('polls the database every 250 ms by default, and takes a whole pollMs from 50 to 5000', () => {
    const resolve = (pollMs?: number) =>
      resolveIdentityOptions({ tokenSecret: SECRET, invalidation: { driver: 'database', pollMs } }, DEV)
        .invalidation;
    expect(resolve()).toEqual({ driver: 'database', pollMs: 250 });
    expect(resolve(50)).toEqual({ driver: 'database', pollMs: 50 });
    expect(resolve(5000)).toEqual({ driver: 'database', pollMs: 5000 });
    for (const bad of [49, 5001, 100.5, Number.NaN]) {
      expect(() => resolve(bad)).toThrow(`invalidation.pollMs must be a whole number from 50 to 5000`);
    }
  });
});

describe('resolveIdentityShape', () => {
  it('mounts every feature at the seeds’ own paths by default', () => {
    expect(resolveIdentityShape({})).toEqual({
      features: [...IDENTITY_FEATURES],
      paths: {
        userGroups: '/api',
        endUsers: '/beta',
        externalUsers: '/api/v1',
        familyUsers: '/reg/api2',
        management: '/identity',
      },
    });
  });

  it('keeps the default for every path that is not given', () => {
    const shape = resolveIdentityShape({ paths: { endUsers: '/v2/end-users' } });
    expect(shape.paths).toEqual({
      userGroups: '/api',
      endUsers: '/v2/end-users',
      externalUsers: '/api/v1',
      familyUsers: '/reg/api2',
      management: '/identity',
    });
  });

  it('keeps a subset of features once each', () => {
    const features: IdentityFeature[] = ['end-users', 'user-groups', 'end-users'];
    expect(resolveIdentityShape({ features }).features).toEqual(['end-users', 'user-groups']);
  });

  it('refuses unknown features, naming them and the known ones', () => {
    const extras = { features: ['user-groups', 'billing'] } as unknown as IdentityModuleExtras;
    const err = optionsError(() => resolveIdentityShape(extras));
    expect(err.message).toContain("features: unknown 'billing'");
    expect(err.message).toContain(IDENTITY_FEATURES.join(', '));
  });

  it('refuses an empty feature list', () => {
    expect(optionsError(() => resolveIdentityShape({ features: [] })).message).toContain(
      'features: the list is empty',
    );
  });

  it.each(['api', '/api v2', '/api//v1', '//', '/api?x=1', '/ünïcode'])('refuses the path %j', (path) => {
    const err = optionsError(() => resolveIdentityShape({ paths: { familyUsers: path } }));
    expect(err.message).toContain(`paths.familyUsers must be a path like '/api' (got '${path}')`);
  });

  it.each(['/', '/api', '/api/', '/reg/api2', '/a.b_c~d-e'])('accepts the path %j', (path) => {
    expect(resolveIdentityShape({ paths: { management: path } }).paths.management).toBe(path);
  });

  it('lists a bad feature and every bad path in one error', () => {
    const extras = {
      features: ['nope'],
      paths: { userGroups: 'api', endUsers: 'beta' },
    } as unknown as IdentityModuleExtras;
    const lines = optionsError(() => resolveIdentityShape(extras))
      .message.split('\n')
      .slice(1);
    expect(lines).toEqual([
      expect.stringContaining('features: unknown'),
      expect.stringContaining('paths.userGroups'),
      expect.stringContaining('paths.endUsers'),
    ]);
  });
});
