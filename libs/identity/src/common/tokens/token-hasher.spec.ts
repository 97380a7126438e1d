import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { resolveIdentityOptions } from '../../identity.module-definition.js';
import { TokenHasher } from './token-hasher.js';

const OLD = 'old-secret-'.padEnd(40, 'o');
const NEW = 'new-secret-'.padEnd(40, 'n');
const OTHER = 'someone-elses-secret-'.padEnd(40, 'x');

function hasher(tokenSecret: string | string[]): TokenHasher {
  return new TokenHasher(resolveIdentityOptions({ tokenSecret }));
}

/** Any secret of at least 32 characters, as the options require. */
const moduleSecret = fc.string({ minLength: 32, maxLength: 64 });

describe('TokenHasher', () => {
  it('hashes with HMAC-SHA-256 under the module secret, as hex', () => {
    expect(hasher(OLD).hash('idk_abc')).toBe(createHmac('sha256', OLD).update('idk_abc').digest('hex'));
    expect(hasher(OLD).hash('idk_abc')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes new credentials under the first secret of a rotation list', () => {
    expect(hasher([NEW, OLD]).hash('idk_abc')).toBe(hasher(NEW).hash('idk_abc'));
  });

  it('gives the hash under every configured secret, the current one first', () => {
    expect(hasher([NEW, OLD]).hashes('idk_abc')).toEqual([
      hasher(NEW).hash('idk_abc'),
      hasher(OLD).hash('idk_abc'),
    ]);
    expect(hasher(OLD).hashes('idk_abc')).toEqual([hasher(OLD).hash('idk_abc')]);
  });

  it('matches a hash stored under the old secret after the new one was put in front of it', () => {
    const stored = hasher(OLD).hash('idk_abc');
    const rotated = hasher([NEW, OLD]);
    expect(rotated.matches('idk_abc', stored)).toBe(true);
    expect(rotated.matches('idk_abd', stored)).toBe(false);
  });

  it('no longer matches a hash once its secret is dropped from the list', () => {
    const stored = hasher(OLD).hash('idk_abc');
    expect(hasher(NEW).matches('idk_abc', stored)).toBe(false);
  });

  it('refuses a hash made under a secret it was never given', () => {
    const stored = hasher(OTHER).hash('idk_abc');
    expect(hasher([NEW, OLD]).matches('idk_abc', stored)).toBe(false);
  });

  it('refuses stored hashes that are not 32-byte hex', () => {
    const h = hasher(OLD);
    const good = h.hash('idk_abc');
    expect(h.matches('idk_abc', good.slice(0, 62))).toBe(false);
    expect(h.matches('idk_abc', `${good}00`)).toBe(false);
    expect(h.matches('idk_abc', '')).toBe(false);
  });

  it('matches a credential hashed under any secret of the list, and only those', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(moduleSecret, { minLength: 2, maxLength: 5 }),
        fc.nat(),
        fc.string(),
        (secrets, pick, credential) => {
          const [stranger, ...configured] = secrets;
          const h = hasher(configured);
          const stored = hasher(configured[pick % configured.length]).hash(credential);
          expect(h.matches(credential, stored)).toBe(true);
          expect(h.hashes(credential)).toContain(stored);
          expect(h.matches(credential, hasher(stranger).hash(credential))).toBe(false);
        },
      ),
    );
  });
});
