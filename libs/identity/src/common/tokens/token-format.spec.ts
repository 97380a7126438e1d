import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { base62, crc32, isWellFormedToken, mintToken } from './token-format.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Inverse of `base62` written independently of it: leading '0's become zero bytes, the rest a big-endian number. */
function decodeBase62(text: string): Uint8Array {
  let zeros = 0;
  while (zeros < text.length && text[zeros] === '0') {
    zeros++;
  }
  let value = 0n;
  for (const char of text.slice(zeros)) {
    value = value * 62n + BigInt(BASE62.indexOf(char));
  }
  const digits: number[] = [];
  while (value > 0n) {
    digits.unshift(Number(value & 0xffn));
    value >>= 8n;
  }
  return Uint8Array.from([...new Array<number>(zeros).fill(0), ...digits]);
}

const prefixArb = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
const byteCountArb = fc.integer({ min: 1, max: 64 });
const mintedArb = fc
  .tuple(prefixArb, byteCountArb)
  .map(([prefix, byteCount]) => ({ prefix, token: mintToken(prefix, byteCount) }));

describe('base62', () => {
  it('decodes back to the same bytes, leading zero bytes included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(decodeBase62(base62(bytes))).toEqual(bytes);
      }),
    );
  });

  it('writes one leading "0" per leading zero byte, and no more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 255 }),
        fc.uint8Array({ maxLength: 32 }),
        (zeroCount, firstNonZero, rest) => {
          const bytes = Uint8Array.from([...new Array<number>(zeroCount).fill(0), firstNonZero, ...rest]);
          const encoded = base62(bytes);
          expect(encoded.slice(0, zeroCount)).toBe('0'.repeat(zeroCount));
          expect(encoded[zeroCount]).not.toBe('0');
        },
      ),
    );
  });

  it('uses only base62 characters', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base62(bytes)).toMatch(/^[0-9A-Za-z]*$/);
      }),
    );
  });

  it('encodes known values', () => {
    expect(base62(new Uint8Array([]))).toBe('');
    expect(base62(new Uint8Array([0]))).toBe('0');
    expect(base62(new Uint8Array([0, 0, 0]))).toBe('000');
    expect(base62(new Uint8Array([61]))).toBe('z');
    expect(base62(new Uint8Array([62]))).toBe('10');
    expect(base62(new Uint8Array([0, 1]))).toBe('01');
    expect(base62(new Uint8Array([255, 255]))).toBe('H31'); // 65535 = 17·62² + 3·62 + 1
  });
});

describe('crc32', () => {
  it('matches the standard CRC-32 check values', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(crc32('a')).toBe(0xe8b7be43);
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339);
  });

  it('agrees with zlib on the UTF-8 bytes of any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(crc32(text)).toBe(zlibCrc32(Buffer.from(text, 'utf8')));
      }),
    );
  });
});

describe('mintToken / isWellFormedToken', () => {
  it('mints tokens of the form <prefix>_<base62> that are well-formed for their prefix', () => {
    fc.assert(
      fc.property(mintedArb, ({ prefix, token }) => {
        expect(token.startsWith(`${prefix}_`)).toBe(true);
        expect(token.slice(prefix.length + 1)).toMatch(/^[0-9A-Za-z]{7,}$/);
        expect(isWellFormedToken(token, prefix)).toBe(true);
      }),
    );
  });

  it('mints a different token each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, () => mintToken('idk', 24)));
    expect(tokens.size).toBe(50);
  });

  it('refuses a minted token under any other prefix', () => {
    fc.assert(
      fc.property(mintedArb, prefixArb, ({ prefix, token }, other) => {
        fc.pre(other !== prefix);
        expect(isWellFormedToken(token, other)).toBe(false);
      }),
    );
  });

  it('refuses a token with any single character changed', () => {
    fc.assert(
      fc.property(
        mintedArb,
        fc.nat(),
        fc.oneof(fc.constantFrom(...BASE62), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })),
        ({ prefix, token }, at, replacement) => {
          const index = at % token.length;
          fc.pre(token[index] !== replacement);
          const changed = token.slice(0, index) + replacement + token.slice(index + 1);
          expect(isWellFormedToken(changed, prefix)).toBe(false);
        },
      ),
    );
  });

  it('refuses a truncated token', () => {
    fc.assert(
      fc.property(mintedArb, fc.nat(), ({ prefix, token }, cut) => {
        const length = cut % token.length;
        expect(isWellFormedToken(token.slice(0, length), prefix)).toBe(false);
      }),
    );
  });

  it('refuses a token with one character left out', () => {
    fc.assert(
      fc.property(mintedArb, fc.nat(), ({ prefix, token }, at) => {
        const index = at % token.length;
        expect(isWellFormedToken(token.slice(0, index) + token.slice(index + 1), prefix)).toBe(false);
      }),
    );
  });

  it('refuses a prefix with nothing after it, and tokens longer than 200 characters', () => {
    expect(isWellFormedToken('idk_', 'idk')).toBe(false);
    expect(isWellFormedToken('idk_abcdef', 'idk')).toBe(false);
    expect(isWellFormedToken(mintToken('idk', 200), 'idk')).toBe(false);
  });
});
