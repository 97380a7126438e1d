import { beforeEach, describe, expect, it } from '@jest/globals';
import { type IdentityModuleOptions, resolveIdentityOptions } from '../../identity.module-definition.js';
import { IdentityErrorCode } from '../errors/identity-error.js';
import { AuthFailureLimiter } from '../rate-limit/auth-failure-limiter.js';
import { CredentialVerifier, type StoredCredential } from './credential-verifier.js';
import { LocalInvalidationBus } from './invalidation/local-invalidation.bus.js';
import { TokenCache } from './token-cache.js';
import { mintToken } from './token-format.js';
import { TokenHasher } from './token-hasher.js';

interface Principal {
  id: string;
}

/** A verifier over a fake table of stored credentials; `loads` counts the lookups ("queries"). */
function build(overrides: IdentityModuleOptions = {}) {
  const options = resolveIdentityOptions({ tokenSecret: 's'.repeat(40), ...overrides }, {});
  const hasher = new TokenHasher(options);
  const cache = new TokenCache(options, new LocalInvalidationBus());
  const verifier = new CredentialVerifier(hasher, cache, new AuthFailureLimiter(options), options);
  const table = new Map<string, StoredCredential<Principal>>();
  const state = { loads: 0 };
  /** Stores `secret` as the hasher would, and returns it. */
  const store = (secret: string, row: Partial<StoredCredential<Principal>> = {}) => {
    const hash = hasher.hash(secret);
    table.set(hash, { principal: { id: secret.slice(-6) }, hash, tags: ['t:1'], ...row });
    return secret;
  };
  const load = async (hashes: readonly string[]) => {
    state.loads++;
    return hashes.map((hash) => table.get(hash)).find((row) => row !== undefined);
  };
  return { verifier, cache, hasher, table, store, load, state };
}

const mint = () => mintToken('tst', 24);

describe(CredentialVerifier.name, () => {
  let t: ReturnType<typeof build>;

  beforeEach(() => {
    t = build();
  });

  it('accepts a stored credential and answers a repeat from the cache without a lookup', async () => {
    const secret = t.store(mint());
    await expect(t.verifier.verify('tst', secret, 'tst', t.load)).resolves.toEqual({
      valid: true,
      principal: { id: secret.slice(-6) },
    });
    await t.verifier.verify('tst', secret, 'tst', t.load);
    expect(t.state.loads).toBe(1);
  });

  it('hands out a frozen principal, nested values too: a route that changes it cannot change the next request', async () => {
    const secret = t.store(mint(), { principal: { id: 'p-1', tier: { name: 'free' } } as Principal });
    const first = await t.verifier.verify('tst', secret, 'tst', t.load);
    const principal = (first as unknown as { principal: Principal & { tier: { name: string } } }).principal;
    expect(() => {
      principal.tier.name = 'pro';
    }).toThrow(TypeError);
    expect(() => {
      (principal as { id: string }).id = 'someone-else';
    }).toThrow(TypeError);
    expect(t.verifier.cached<Principal>('tst', secret)).toEqual({
      valid: true,
      principal: { id: 'p-1', tier: { name: 'free' } },
    });
  });

  it('refuses a malformed credential (wrong prefix, bad checksum) without a lookup', async () => {
    const secret = t.store(mint());
    const tampered = secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');
    await expect(t.verifier.verify('tst', tampered, 'tst', t.load)).resolves.toMatchObject({
      valid: false,
      failure: 'malformed',
    });
    await expect(t.verifier.verify('tst', secret, 'other', t.load)).resolves.toMatchObject({
      failure: 'malformed',
    });
    expect(t.state.loads).toBe(0);
  });

  it('refuses a row whose stored hash does not match the presented secret', async () => {
    const secret = mint();
    t.table.set(t.hasher.hash(secret), { principal: { id: 'x' }, hash: 'ab'.repeat(32), tags: [] });
    await expect(t.verifier.verify('tst', secret, 'tst', t.load)).resolves.toMatchObject({
      failure: 'unknown',
    });
  });

  it('drops a cached verdict when one of its tags is invalidated', async () => {
    const secret = t.store(mint(), { tags: ['user-group:g1'] });
    await t.verifier.verify('tst', secret, 'tst', t.load);
    t.table.set(t.hasher.hash(secret), { ...t.table.get(t.hasher.hash(secret))!, refusal: 'revoked' });
    await t.cache.invalidate(['user-group:g1']);
    await expect(t.verifier.verify('tst', secret, 'tst', t.load)).resolves.toMatchObject({
      valid: false,
      failure: 'refused',
      refusal: 'revoked',
    });
    expect(t.state.loads).toBe(2);
  });

  it('refuses a credential past its expiry, also when the verdict was cached before it expired', async () => {
    const secret = t.store(mint(), { expiresAt: Date.now() + 40 });
    await expect(t.verifier.verify('tst', secret, 'tst', t.load)).resolves.toMatchObject({ valid: true });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await expect(t.verifier.verify('tst', secret, 'tst', t.load)).resolves.toMatchObject({
      valid: false,
      failure: 'expired',
    });
    expect(t.state.loads).toBe(1); // the cached verdict knew its expiry
  });

  it('does not cache a lookup that an invalidation overtook (the ticket)', async () => {
    const secret = t.store(mint(), { tags: ['user-group:g1'] });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let readDone: () => void = () => undefined;
    const read = new Promise<void>((resolve) => (readDone = resolve));
    const slowLoad = async (hashes: readonly string[]) => {
      const row = await t.load(hashes);
      readDone();
      await gate; // the row was read; a rotation commits and invalidates before the check returns
      return row;
    };
    const check = t.verifier.verify('tst', secret, 'tst', slowLoad);
    await read;
    t.table.delete(t.hasher.hash(secret));
    await t.cache.invalidate(['user-group:g1']);
    release();
    await expect(check).resolves.toMatchObject({ valid: true }); // read before the rotation
    await expect(t.verifier.verify('tst', secret, 'tst', t.load)).resolves.toMatchObject({
      valid: false,
      failure: 'unknown',
    });
  });

  it('remembers an unknown credential, so repeating it costs no lookup', async () => {
    const unknown = mint();
    for (let i = 0; i < 5; i++) {
      await expect(t.verifier.verify('tst', unknown, 'tst', t.load)).resolves.toMatchObject({
        failure: 'unknown',
      });
    }
    expect(t.state.loads).toBe(1);
  });

  it('forgets an unknown credential once it is registered from outside', async () => {
    const given = mint();
    await t.verifier.verify('tst', given, 'tst', t.load);
    t.store(given);
    t.verifier.forgetUnknown('tst', given);
    await expect(t.verifier.verify('tst', given, 'tst', t.load)).resolves.toMatchObject({ valid: true });
  });

  it('treats an expiry it cannot read (NaN) as passed', async () => {
    const secret = t.store(mint(), { expiresAt: Number.NaN });
    await expect(t.verifier.verify('tst', secret, 'tst', t.load)).resolves.toMatchObject({
      valid: false,
      failure: 'expired',
    });
  });

  it('finds a credential hashed under a previous secret with one lookup, asking for the current hash first', async () => {
    const old = build({ tokenSecret: 'o'.repeat(40) });
    t = build({ tokenSecret: ['n'.repeat(40), 'o'.repeat(40)] });
    const secret = mint();
    const oldHash = old.hasher.hash(secret);
    t.table.set(oldHash, { principal: { id: 'old' }, hash: oldHash, tags: [] });
    let asked: readonly string[] = [];
    const spy = async (hashes: readonly string[]) => {
      asked = hashes;
      return t.load(hashes);
    };
    await expect(t.verifier.verify('tst', secret, 'tst', spy)).resolves.toMatchObject({ valid: true });
    expect(t.state.loads).toBe(1);
    expect(asked).toEqual([t.hasher.hash(secret), oldHash]);
  });

  it('looks up an unknown credential every time when the negative cache is off', async () => {
    t = build({ tokenCache: { negativeTtlMs: 0 } });
    const unknown = mint();
    await t.verifier.verify('tst', unknown, 'tst', t.load);
    await t.verifier.verify('tst', unknown, 'tst', t.load);
    expect(t.state.loads).toBe(2);
  });

  it('reads the database, not the cache, for a fresh check', async () => {
    const secret = t.store(mint());
    await t.verifier.verify('tst', secret, 'tst', t.load);
    t.table.set(t.hasher.hash(secret), { ...t.table.get(t.hasher.hash(secret))!, refusal: 'revoked' });
    await expect(t.verifier.verify('tst', secret, 'tst', t.load, { fresh: true })).resolves.toMatchObject({
      failure: 'refused',
    });
  });

  describe('failure limit', () => {
    beforeEach(() => {
      t = build({ authFailures: { maxPerWindow: 3, windowSeconds: 60 } });
    });

    it('refuses a client with 429 after maxPerWindow failures, before any lookup', async () => {
      for (let i = 0; i < 3; i++) {
        await t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:1' });
      }
      const loads = t.state.loads;
      const refused = t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:1' });
      await expect(refused).rejects.toMatchObject({
        code: IdentityErrorCode.RateLimited,
        details: { retryAfterSeconds: 60 },
      });
      expect(t.state.loads).toBe(loads);
      // another client is not affected
      await expect(
        t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:2' }),
      ).resolves.toMatchObject({
        failure: 'unknown',
      });
    });

    it('counts only failures that cost a lookup: repeats of a remembered unknown credential do not', async () => {
      const unknown = mint();
      for (let i = 0; i < 10; i++) {
        await t.verifier.verify('tst', unknown, 'tst', t.load, { client: 'ip:1' });
      }
      expect(t.state.loads).toBe(1);
      await expect(
        t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:1' }),
      ).resolves.toMatchObject({
        failure: 'unknown',
      });
    });

    it('answers 429, not another remembered 401, once the client is over the limit', async () => {
      for (let i = 0; i < 3; i++) {
        await t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:1' });
      }
      const remembered = mint();
      await t.verifier.verify('tst', remembered, 'tst', t.load, { client: 'ip:2' });
      await expect(
        t.verifier.verify('tst', remembered, 'tst', t.load, { client: 'ip:1' }),
      ).rejects.toMatchObject({
        code: IdentityErrorCode.RateLimited,
      });
    });

    it('does not count refusals served from the cache (old tabs behind one NAT after a rotation)', async () => {
      const rotated = t.store(mint(), { refusal: 'revoked' });
      await t.verifier.verify('tst', rotated, 'tst', t.load, { client: 'ip:office' }); // one lookup, counted
      for (let i = 0; i < 20; i++) {
        await t.verifier.verify('tst', rotated, 'tst', t.load, { client: 'ip:office' });
      }
      const fresh = t.store(mint());
      await expect(
        t.verifier.verify('tst', fresh, 'tst', t.load, { client: 'ip:office' }),
      ).resolves.toMatchObject({
        valid: true,
      });
    });

    it('counts lookups in flight, so a burst of concurrent unknown credentials costs at most the limit', async () => {
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const slow = async (hashes: readonly string[]) => {
        const row = await t.load(hashes);
        await gate;
        return row;
      };
      const burst = Array.from({ length: 10 }, () =>
        t.verifier.verify('tst', mint(), 'tst', slow, { client: 'ip:1' }).then(
          () => 'looked up',
          () => 'refused',
        ),
      );
      await new Promise((resolve) => setImmediate(resolve));
      release();
      const outcomes = await Promise.all(burst);
      expect(t.state.loads).toBe(3);
      expect(outcomes.filter((o) => o === 'refused')).toHaveLength(7);
    });

    it('does not hold a successful lookup against the client', async () => {
      for (let i = 0; i < 5; i++) {
        const secret = t.store(mint());
        await expect(
          t.verifier.verify('tst', secret, 'tst', t.load, { client: 'ip:1' }),
        ).resolves.toMatchObject({
          valid: true,
        });
      }
      await t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:1' });
      await t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:1' });
      await expect(
        t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:1' }),
      ).resolves.toMatchObject({
        failure: 'unknown',
      });
    });

    it('never locks a key out for guesses at its public id from many addresses', async () => {
      t = build({ authFailures: { maxPerWindow: 3, windowSeconds: 60 }, tokenCache: { ttlMs: 0 } });
      const key = t.store(mint());
      for (let i = 0; i < 30; i++) {
        const guess = mintToken('tst', 24); // a fresh well-formed secret: as good as any guess
        await t.verifier.verify('tst', guess, 'tst', t.load, { client: `ip:${i}` });
        await t.verifier.verify('tst', key.slice(0, 12) + guess.slice(12), 'tst', t.load, {
          client: `ip:${i}`,
        });
      }
      await expect(
        t.verifier.verify('tst', key, 'tst', t.load, { client: 'ip:owner' }),
      ).resolves.toMatchObject({
        valid: true,
      });
    });

    it('still serves a valid credential from the cache to a client that is over the limit', async () => {
      const secret = t.store(mint());
      await t.verifier.verify('tst', secret, 'tst', t.load, { client: 'ip:1' });
      for (let i = 0; i < 3; i++) {
        await t.verifier.verify('tst', mint(), 'tst', t.load, { client: 'ip:1' });
      }
      await expect(
        t.verifier.verify('tst', secret, 'tst', t.load, { client: 'ip:1' }),
      ).resolves.toMatchObject({
        valid: true,
      });
    });

    it('does not limit host code that names no client', async () => {
      for (let i = 0; i < 5; i++) {
        await expect(t.verifier.verify('tst', mint(), 'tst', t.load)).resolves.toMatchObject({
          valid: false,
        });
      }
    });
  });
});
