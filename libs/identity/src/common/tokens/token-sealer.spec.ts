import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { resolveIdentityOptions } from '../../identity.module-definition.js';
import { TokenSealer } from './token-sealer.js';

const OLD = 'old-secret-'.padEnd(40, 'o');
const NEW = 'new-secret-'.padEnd(40, 'n');
const OTHER = 'someone-elses-secret-'.padEnd(40, 'x');

function sealer(tokenSecret: string | string[]): TokenSealer {
  return new TokenSealer(resolveIdentityOptions({ tokenSecret }));
}

const moduleSecret = fc.string({ minLength: 32, maxLength: 64 });

describe('TokenSealer', () => {
  it('opens what it sealed, and never shows the plaintext in the sealed form', () => {
    const s = sealer(OLD);
    const sealed = s.seal('ugt_secret-token');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('secret-token');
    expect(s.open(sealed)).toBe('ugt_secret-token');
  });

  it('opens a value sealed under the old secret after the new one was put in front of it', () => {
    const sealed = sealer(OLD).seal('ugt_before-rotation');
    expect(sealer([NEW, OLD]).open(sealed)).toBe('ugt_before-rotation');
  });

  it('seals new values under the first secret of the list', () => {
    const sealed = sealer([NEW, OLD]).seal('ugt_after-rotation');
    expect(sealer(NEW).open(sealed)).toBe('ugt_after-rotation');
    expect(sealer(OLD).open(sealed)).toBeUndefined();
  });

  it('does not open a value sealed under a secret it was never given', () => {
    expect(sealer([NEW, OLD]).open(sealer(OTHER).seal('ugt_x'))).toBeUndefined();
  });

  it('does not open a value whose parts were tampered with or cut short', () => {
    const s = sealer(OLD);
    const [version, iv, tag, ciphertext] = s.seal('ugt_x').split('.');
    const flipped = (part: string) => {
      const bytes = Buffer.from(part, 'base64url');
      bytes[0] ^= 1;
      return bytes.toString('base64url');
    };
    expect(s.open([version, iv, tag, flipped(ciphertext)].join('.'))).toBeUndefined();
    expect(s.open([version, iv, flipped(tag), ciphertext].join('.'))).toBeUndefined();
    expect(s.open([version, iv, tag.slice(0, 6), ciphertext].join('.'))).toBeUndefined();
    expect(s.open(['v2', iv, tag, ciphertext].join('.'))).toBeUndefined();
    expect(s.open([version, iv, tag].join('.'))).toBeUndefined();
    expect(s.open('')).toBeUndefined();
  });

  it('opens a value sealed under any secret of the list, and nothing sealed under another', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(moduleSecret, { minLength: 2, maxLength: 4 }),
        fc.nat(),
        fc.string(),
        (secrets, pick, plaintext) => {
          const [stranger, ...configured] = secrets;
          const s = sealer(configured);
          expect(s.open(sealer(configured[pick % configured.length]).seal(plaintext))).toBe(plaintext);
          expect(s.open(sealer(stranger).seal(plaintext))).toBeUndefined();
        },
      ),
      { numRuns: 50 },
    );
  });
});
