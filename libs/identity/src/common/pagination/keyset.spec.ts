import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IdentityError } from '../errors/identity-error.js';
import { resolveIdentityOptions } from '../../identity.module-definition.js';
import { TokenHasher } from '../tokens/token-hasher.js';
import { keysetPage, PageKeys } from './keyset.js';

const SECRET = 'a'.repeat(40);
const OLD_SECRET = 'b'.repeat(40);

function pageKeys(secrets: string[] = [SECRET]): PageKeys {
  return new PageKeys(new TokenHasher(resolveIdentityOptions({ tokenSecret: secrets })));
}

const positionArb = fc.record({
  createdAt: fc.integer({ min: 0, max: 8_640_000_000_000 }),
  id: fc.uuid().map((id) => id.toLowerCase()),
});
const directionArb = fc.constantFrom('next' as const, 'previous' as const);
const scopeArb = fc.string({ maxLength: 80 });

function refused(fn: () => unknown): boolean {
  try {
    fn();
    return false;
  } catch (err) {
    expect(err).toBeInstanceOf(IdentityError);
    expect(err).toMatchObject({ code: 'validation', details: { fields: ['pageKey'] } });
    return true;
  }
}

describe(PageKeys.name, () => {
  const keys = pageKeys();

  it('decodes what it encodes, for any position, direction and list', () => {
    fc.assert(
      fc.property(scopeArb, directionArb, positionArb, (scope, direction, position) => {
        const key = keys.encode(scope, direction, position);
        expect(key).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(keys.decode(scope, key, 10)).toEqual(
          direction === 'next' ? { limit: 10, after: position } : { limit: 10, before: position },
        );
      }),
    );
  });

  it('refuses every key with one character changed', () => {
    fc.assert(
      fc.property(
        scopeArb,
        directionArb,
        positionArb,
        fc.nat(),
        fc.constantFrom(...'ABCabc019-_'),
        (scope, direction, position, at, char) => {
          const key = keys.encode(scope, direction, position);
          const i = at % key.length;
          fc.pre(key[i] !== char);
          const changed = key.slice(0, i) + char + key.slice(i + 1);
          // A change in the last character may only touch padding bits base64url ignores: then it is the same key.
          fc.pre(Buffer.from(changed, 'base64url').toString('base64url') === changed);
          expect(refused(() => keys.decode(scope, changed, 10))).toBe(true);
        },
      ),
    );
  });

  it('refuses a key of another list (workspace, filters, owner)', () => {
    fc.assert(
      fc.property(scopeArb, scopeArb, directionArb, positionArb, (scope, other, direction, position) => {
        fc.pre(scope !== other);
        expect(refused(() => keys.decode(other, keys.encode(scope, direction, position), 10))).toBe(true);
      }),
    );
  });

  it('refuses made-up keys', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(refused(() => keys.decode('list', text, 10))).toBe(true);
      }),
    );
    const forged = Buffer.from(`n.0.00000000-0000-7000-8000-000000000000.${'0'.repeat(32)}`).toString(
      'base64url',
    );
    expect(refused(() => keys.decode('list', forged, 10))).toBe(true);
  });

  it('refuses a key made under another secret, and accepts one made under a secret still in rotation', () => {
    const position = { createdAt: 1_700_000_000_000, id: '0192d6a0-0000-7000-8000-000000000001' };
    const old = pageKeys([OLD_SECRET]).encode('list', 'next', position);
    expect(refused(() => keys.decode('list', old, 5))).toBe(true);
    expect(pageKeys([SECRET, OLD_SECRET]).decode('list', old, 5)).toEqual({ limit: 5, after: position });
  });
});

describe('keysetPage', () => {
  const rows = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, i) => ({ createdAt: from + i, id: `id-${from + i}` }));
  const position = (r: { createdAt: number; id: string }) => r;

  it('gives the first page a next and no previous', () => {
    const page = keysetPage(rows(0, 4), { limit: 3 }, position);
    expect(page).toEqual({ items: rows(0, 3), next: rows(2, 3)[0], previous: undefined });
  });

  it('gives a later page both neighbours, and the last none after it', () => {
    const after = { createdAt: 2, id: 'id-2' };
    expect(keysetPage(rows(3, 7), { limit: 3, after }, position)).toEqual({
      items: rows(3, 6),
      next: rows(5, 6)[0],
      previous: rows(3, 4)[0],
    });
    expect(keysetPage(rows(3, 5), { limit: 3, after }, position)).toEqual({
      items: rows(3, 5),
      next: undefined,
      previous: rows(3, 4)[0],
    });
  });

  it('turns a backwards fetch (newest first) into an ascending page', () => {
    const before = { createdAt: 10, id: 'id-10' };
    const fetched = rows(6, 10).reverse(); // 9, 8, 7, 6: one more than the page
    expect(keysetPage(fetched, { limit: 3, before }, position)).toEqual({
      items: rows(7, 10),
      previous: rows(7, 8)[0],
      next: rows(9, 10)[0],
    });
    expect(keysetPage(rows(0, 2).reverse(), { limit: 3, before }, position).previous).toBeUndefined();
  });
});
