import { describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
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
const OLD_SECRET = 'o'.repeat(40);

function optionsError(fn: () => unknown): IdentityOptionsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityOptionsError);
    return err as IdentityOptionsError;
  }
  throw new Error('expected an IdentityOptionsError');
}

/** A logger that keeps what it is told, so a spec can see the warnings of one resolution. */
function recordingLogger(): { warn(message: string): void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (message: string) => warnings.push(message) };
}

describe('resolveIdentityOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET })).toEqual({
      tokenSecrets: [SECRET],
      rateLimit: { perSecond: 10 },
      preparedStatements: true,
      redisUrl: undefined,
      tokenCache: { ttlMs: 5000, max: 10_000, negativeTtlMs: 10_000, negativeMax: 10_000 },
      authFailures: { maxPerWindow: 30, windowSeconds: 60 },
      invalidation: { driver: 'local' },
      userGroups: { rotationGraceSeconds: 0 },
      familyUsers: { sessionTtlSeconds: 86_400, loginFailures: { maxPerWindow: 5, windowSeconds: 900 } },
      externalUsers: { accessTokenTtlSeconds: 86_400, quotaPeriod: 'month' },
      endUsers: {},
    });
  });

  it.each([
    ['left out', {}],
    ['empty', { tokenSecret: '' }],
    [
      'undefined with insecureDevelopmentSecret: false',
      { tokenSecret: undefined, insecureDevelopmentSecret: false },
    ],
  ])(
    'refuses to start when tokenSecret is %s, saying what to set',
    (_case, options: IdentityModuleOptions) => {
      const logger = recordingLogger();
      const err = optionsError(() => resolveIdentityOptions(options, { logger }));
      expect(err.name).toBe('IdentityOptionsError');
      expect(err.message).toContain('tokenSecret is missing');
      expect(err.message).toContain('IDENTITY_TOKEN_SECRET');
      expect(err.message).toContain('at least 32 characters');
      expect(err.message).toContain('insecureDevelopmentSecret: true');
      expect(logger.warnings).toEqual([]);
    },
  );

  it('refuses a missing tokenSecret the same way whatever NODE_ENV says', () => {
    const previous = process.env.NODE_ENV;
    try {
      for (const env of ['development', 'test', 'production', undefined]) {
        if (env === undefined) {
          delete process.env.NODE_ENV;
        } else {
          process.env.NODE_ENV = env;
        }
        expect(optionsError(() => resolveIdentityOptions({})).message).toContain('tokenSecret is missing');
      }
    } finally {
      if (previous === undefined) {
        delete process.env.NODE_ENV;
      } else {
        process.env.NODE_ENV = previous;
      }
    }
  });

  it('lists a missing tokenSecret with the other problems', () => {
    const lines = optionsError(() => resolveIdentityOptions({ rateLimit: { perSecond: 0 } }))
      .message.split('\n')
      .slice(1);
    expect(lines).toEqual([
      expect.stringContaining('tokenSecret is missing'),
      expect.stringContaining('rateLimit.perSecond'),
    ]);
  });

  it('starts without tokenSecret only when the host opts in, and warns at every start', () => {
    const logger = recordingLogger();
    const first = resolveIdentityOptions({ insecureDevelopmentSecret: true }, { logger });
    const second = resolveIdentityOptions({ insecureDevelopmentSecret: true }, { logger });

    expect(first.tokenSecrets).toHaveLength(1);
    expect(first.tokenSecrets[0].length).toBeGreaterThanOrEqual(32);
    // a constant: what the development database was made with still opens on the next start
    expect(second.tokenSecrets).toEqual(first.tokenSecrets);
    expect(logger.warnings).toHaveLength(2);
    for (const warning of logger.warnings) {
      expect(warning).toContain('insecureDevelopmentSecret');
      expect(warning).toContain('public secret');
      expect(warning).toContain('Set tokenSecret');
      expect(warning).not.toContain(first.tokenSecrets[0]);
    }
  });

  it("warns through Nest's Logger with the context IdentityModule by default", () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      resolveIdentityOptions({ insecureDevelopmentSecret: true });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.contexts[0]).toMatchObject({ context: 'IdentityModule' });
    } finally {
      warn.mockRestore();
    }
  });

  it('uses a given tokenSecret over insecureDevelopmentSecret, without a warning', () => {
    const logger = recordingLogger();
    expect(
      resolveIdentityOptions({ tokenSecret: SECRET, insecureDevelopmentSecret: true }, { logger })
        .tokenSecrets,
    ).toEqual([SECRET]);
    expect(logger.warnings).toEqual([]);
  });

  it('does not warn when the opted-in options are refused for another reason', () => {
    const logger = recordingLogger();
    optionsError(() =>
      resolveIdentityOptions({ insecureDevelopmentSecret: true, tokenCache: { max: 0 } }, { logger }),
    );
    expect(logger.warnings).toEqual([]);
  });

  it('refuses a preparedStatements that is not a boolean', () => {
    const options = { tokenSecret: SECRET, preparedStatements: 'no' } as unknown as IdentityModuleOptions;
    expect(optionsError(() => resolveIdentityOptions(options)).message).toContain(
      'preparedStatements must be true or false (got string)',
    );
  });

  it('refuses an insecureDevelopmentSecret that is not a boolean', () => {
    const options = { insecureDevelopmentSecret: 'yes' } as unknown as IdentityModuleOptions;
    expect(optionsError(() => resolveIdentityOptions(options)).message).toContain(
      'insecureDevelopmentSecret must be true or false (got string)',
    );
  });

  it('refuses a tokenSecret shorter than 32 characters, giving its length and never the secret', () => {
    const message = optionsError(() => resolveIdentityOptions({ tokenSecret: 'x'.repeat(31) })).message;
    expect(message).toContain('tokenSecret is 31 characters long');
    expect(message).not.toContain('x'.repeat(31));
  });

  it('takes a list of secrets for rotation, the current one first', () => {
    expect(resolveIdentityOptions({ tokenSecret: [SECRET, OLD_SECRET] }).tokenSecrets).toEqual([
      SECRET,
      OLD_SECRET,
    ]);
    expect(resolveIdentityOptions({ tokenSecret: [SECRET] }).tokenSecrets).toEqual([SECRET]);
  });

  it('keeps its own copy of the list', () => {
    const list = [SECRET, OLD_SECRET];
    const resolved = resolveIdentityOptions({ tokenSecret: list });
    list.reverse();
    expect(resolved.tokenSecrets).toEqual([SECRET, OLD_SECRET]);
  });

  it('refuses an empty list of secrets, even with insecureDevelopmentSecret', () => {
    for (const insecureDevelopmentSecret of [false, true]) {
      expect(
        optionsError(() => resolveIdentityOptions({ tokenSecret: [], insecureDevelopmentSecret })).message,
      ).toContain('tokenSecret is an empty list');
    }
  });

  it('names every short, repeated or non-string entry of the list by position, never by value', () => {
    const list = [SECRET, 'short', OLD_SECRET, SECRET, 42] as unknown as string[];
    const err = optionsError(() => resolveIdentityOptions({ tokenSecret: list }));
    expect(err.message.split('\n').slice(1)).toEqual([
      '  - tokenSecret[1] is 5 characters long; use at least 32 random characters',
      '  - tokenSecret[3] repeats tokenSecret[0]; list each secret once',
      '  - tokenSecret[4] must be a string (got number)',
    ]);
    expect(err.message).not.toContain(SECRET);
    expect(err.message).not.toContain('short;');
  });

  it('accepts any list of distinct secrets of at least 32 characters, in the given order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 32, maxLength: 80 }), { minLength: 1, maxLength: 5 }),
        (list) => {
          expect(resolveIdentityOptions({ tokenSecret: list }).tokenSecrets).toEqual(list);
        },
      ),
    );
  });

  it('refuses any list that holds one secret twice', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 32, maxLength: 40 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.nat(),
        (list, from, to) => {
          const withRepeat = [...list];
          withRepeat.splice(to % (list.length + 1), 0, list[from % list.length]);
          expect(optionsError(() => resolveIdentityOptions({ tokenSecret: withRepeat })).message).toMatch(
            /tokenSecret\[\d+\] repeats tokenSecret\[\d+\]/,
          );
        },
      ),
    );
  });

  it('refuses a tokenSecret that is neither a string nor a list', () => {
    const options = { tokenSecret: 42 } as unknown as IdentityModuleOptions;
    expect(optionsError(() => resolveIdentityOptions(options)).message).toContain(
      'tokenSecret must be a string or a list of strings (got number)',
    );
  });

  it('lists every problem in one error', () => {
    const err = optionsError(() =>
      resolveIdentityOptions({
        tokenSecret: 'short',
        rateLimit: { perSecond: 0 },
        tokenCache: { ttlMs: -1, max: 0 },
        invalidation: { driver: 'redis', url: '' },
        userGroups: { rotationGraceSeconds: 61 },
      }),
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
        const resolved = resolveIdentityOptions({
          tokenSecret: SECRET,
          userGroups: { rotationGraceSeconds: grace },
        });
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
              resolveIdentityOptions({ tokenSecret: SECRET, userGroups: { rotationGraceSeconds: grace } }),
            ).message,
          ).toContain('userGroups.rotationGraceSeconds must be a whole number from 0 to 60');
        },
      ),
    );
  });

  it('turns the rate limit off with false and keeps a valid perSecond', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET, rateLimit: false }).rateLimit).toBe(false);
    expect(resolveIdentityOptions({ tokenSecret: SECRET, rateLimit: { perSecond: 3 } }).rateLimit).toEqual({
      perSecond: 3,
    });
    expect(resolveIdentityOptions({ tokenSecret: SECRET, rateLimit: {} }).rateLimit).toEqual({
      perSecond: 10,
    });
  });

  it('accepts a token cache TTL from 0 to 60000 ms and refuses one outside it', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET, tokenCache: { ttlMs: 0 } }).tokenCache.ttlMs).toBe(
      0,
    );
    expect(
      resolveIdentityOptions({ tokenSecret: SECRET, tokenCache: { ttlMs: 60_000 } }).tokenCache.ttlMs,
    ).toBe(60_000);
    expect(() => resolveIdentityOptions({ tokenSecret: SECRET, tokenCache: { ttlMs: 60_001 } })).toThrow(
      'tokenCache.ttlMs',
    );
  });

  it('turns the failed-credential limit off with false and refuses limits that are not whole and positive', () => {
    expect(resolveIdentityOptions({ tokenSecret: SECRET, authFailures: false }).authFailures).toBe(false);
    expect(
      resolveIdentityOptions({ tokenSecret: SECRET, authFailures: { maxPerWindow: 5 } }).authFailures,
    ).toEqual({ maxPerWindow: 5, windowSeconds: 60 });
    const err = optionsError(() =>
      resolveIdentityOptions({
        tokenSecret: SECRET,
        authFailures: { maxPerWindow: 0, windowSeconds: 1.5 },
        tokenCache: { negativeTtlMs: -1, negativeMax: 0 },
      }),
    );
    expect(err.message).toContain('authFailures.maxPerWindow must be a whole number of at least 1 (got 0)');
    expect(err.message).toContain(
      'authFailures.windowSeconds must be a whole number from 1 to 86400 (got 1.5)',
    );
    expect(err.message).toContain(
      'tokenCache.negativeTtlMs must be a whole number from 0 to 600000 (got -1)',
    );
    expect(err.message).toContain('tokenCache.negativeMax must be a whole number of at least 1 (got 0)');
  });

  it('requires a url with the postgres and redis invalidation drivers, and refuses unknown drivers', () => {
    expect(() =>
      resolveIdentityOptions({ tokenSecret: SECRET, invalidation: { driver: 'postgres', url: '' } }),
    ).toThrow("invalidation.url is required with the 'postgres' driver");
    const invalidation = { driver: 'redis', url: 'redis://localhost:6379' } as const;
    expect(resolveIdentityOptions({ tokenSecret: SECRET, invalidation }).invalidation).toEqual(invalidation);
    const unknown = { invalidation: { driver: 'kafka' } } as unknown as IdentityModuleOptions;
    expect(() => resolveIdentityOptions({ tokenSecret: SECRET, ...unknown })).toThrow('invalidation.driver');
  });

  it('polls the database every 250 ms by default, and takes a whole pollMs from 50 to 5000', () => {
    const resolve = (pollMs?: number) =>
      resolveIdentityOptions({ tokenSecret: SECRET, invalidation: { driver: 'database', pollMs } })
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
      swagger: { tag: undefined, hide: false },
    });
  });

  it('takes the swagger tag and hide options, and refuses an empty tag or a non-boolean hide', () => {
    expect(resolveIdentityShape({ swagger: { tag: 'Identity', hide: true } }).swagger).toEqual({
      tag: 'Identity',
      hide: true,
    });
    const err = optionsError(() =>
      resolveIdentityShape({ swagger: { tag: ' ', hide: 'yes' } } as unknown as IdentityModuleExtras),
    );
    expect(err.message).toContain('swagger.tag must be a non-empty string');
    expect(err.message).toContain('swagger.hide must be true or false');
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
