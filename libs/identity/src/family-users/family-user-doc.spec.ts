import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IdentityError } from '../common/errors/identity-error.js';
import { flagOf, formFieldsOf, refuseSystemFields, wholeNumberOf } from './family-user-doc.js';
import { MAX_FAMILY_NUMBER } from './family-numbers.js';

describe('wholeNumberOf', () => {
  it('reads whole numbers in range given as numbers or digit strings, and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_FAMILY_NUMBER }), (n) => {
        expect(wholeNumberOf(n)).toBe(n);
        expect(wholeNumberOf(String(n))).toBe(n);
        expect(wholeNumberOf(` ${n} `)).toBe(n);
      }),
    );
    for (const bad of [
      0,
      -1,
      1.5,
      MAX_FAMILY_NUMBER + 1,
      '1e3',
      '0x10',
      '',
      ' ',
      '1.0',
      null,
      undefined,
      true,
      [1],
      {},
    ]) {
      expect(wholeNumberOf(bad)).toBeUndefined();
    }
    expect(wholeNumberOf(0, 0)).toBe(0);
  });

  it('never throws and answers only integers in range', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const n = wholeNumberOf(value);
        expect(n === undefined || (Number.isInteger(n) && n >= 1 && n <= MAX_FAMILY_NUMBER)).toBe(true);
      }),
    );
  });
});

describe('flagOf', () => {
  it('reads Regpack flags: true, 1, "1", "true", "yes" are set; everything else is not', () => {
    for (const set of [true, 1, '1', 'true', 'TRUE', ' yes ']) {
      expect(flagOf(set)).toBe(true);
    }
    for (const unset of [false, 0, '0', 'false', '', 'no', null, undefined, 2, {}, []]) {
      expect(flagOf(unset)).toBe(false);
    }
  });
});

describe('formFieldsOf and refuseSystemFields', () => {
  it('never keeps username or password among the form fields', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 8 }), fc.string(), (doc, secret) => {
        const fields = formFieldsOf({ ...doc, username: 'u', password: secret });
        expect(fields).not.toHaveProperty('password');
        expect(fields).not.toHaveProperty('username');
      }),
    );
  });

  it('names every _-prefixed field it refuses', () => {
    expect(() => refuseSystemFields({ a: 1, _b: 2 })).toThrow(IdentityError);
    try {
      refuseSystemFields({ _b: 2, c: 3, _d: 4 });
    } catch (e) {
      expect((e as IdentityError).details.fields).toEqual(['doc._b', 'doc._d']);
      expect((e as IdentityError).message).toBe('doc: system fields cannot be written: _b, _d');
    }
    expect(() => refuseSystemFields({ a_: 1, b: { _nested: 1 } })).not.toThrow();
  });
});
