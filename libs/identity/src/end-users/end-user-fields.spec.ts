import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  checkEndUserFields,
  END_USER_FIELD_NAMES,
  normalizeEmail,
  normalizePhoneNumber,
} from './end-user-fields.js';
import { END_USER_PII_FIELDS } from './end-user.entity.js';
import { getMetadataArgsStorage } from 'typeorm';
import { EndUserEntity } from './end-user.entity.js';

describe('normalizePhoneNumber', () => {
  it.each([
    ['+551155256325', '+551155256325'],
    ['+5566778899', '+5566778899'], // the seed's additional number: possible, if not assigned
    ['+45 20 12 34 56', '+4520123456'],
    ['0045 20-12-34-56', '+4520123456'],
    ['+1 (415) 555-2671', '+14155552671'],
  ])('normalises %s to %s', (input, e164) => {
    expect(normalizePhoneNumber(input)).toBe(e164);
  });

  // `+4300000` shrinks to `+430000` when parsed again: found by the idempotence property below.
  it.each(['12345', '20123456', '+999123', '+45 12', 'call me', '', '+'.padEnd(50, '1'), '+4300000 0'])(
    'refuses %s',
    (input) => {
      expect(normalizePhoneNumber(input)).toBeUndefined();
    },
  );

  it('answers E.164 or nothing for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const phone = normalizePhoneNumber(text);
        expect(phone === undefined || /^\+[1-9]\d{1,14}$/.test(phone)).toBe(true);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9][0-9 ]{6,16}$/), (text) => {
        const phone = normalizePhoneNumber(text);
        fc.pre(phone !== undefined);
        expect(normalizePhoneNumber(phone as string)).toBe(phone);
      }),
    );
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases, and refuses what is not an address', () => {
    expect(normalizeEmail('  Alice@Brown.COM ')).toBe('alice@brown.com');
    expect(normalizeEmail('alice@secondary.email')).toBe('alice@secondary.email');
    for (const bad of ['alice', 'alice@', '@brown.com', 'a b@c.com', `${'a'.repeat(320)}@b.com`]) {
      expect(normalizeEmail(bad)).toBeUndefined();
    }
  });
});

describe('checkEndUserFields', () => {
  it('reads only the end user fields and keeps absent ones absent', () => {
    const check = checkEndUserFields({ displayName: 'A', id: 'x', createdAt: 'y', other: 1 });
    expect(check).toEqual({ changes: { displayName: 'A' }, problems: [], fields: [] });
  });

  it('clears with null: scalars to null, lists to []', () => {
    const body = Object.fromEntries(END_USER_FIELD_NAMES.map((name) => [name, null]));
    expect(checkEndUserFields(body).changes).toEqual({
      displayName: null,
      email: null,
      phoneNumber: null,
      additionalEmails: [],
      additionalPhoneNumbers: [],
      firstName: null,
      lastName: null,
      middleNames: [],
      avatarUrl: null,
      externalId: null,
    });
  });

  it('de-duplicates list items after normalising them', () => {
    expect(
      checkEndUserFields({
        additionalEmails: ['A@b.com', 'a@B.com'],
        additionalPhoneNumbers: ['+45 20123456', '+4520123456'],
      }).changes,
    ).toEqual({ additionalEmails: ['a@b.com'], additionalPhoneNumbers: ['+4520123456'] });
  });

  it('names every offending field at once', () => {
    const check = checkEndUserFields({
      email: 'x',
      phoneNumber: 5,
      middleNames: ['ok', 7],
      avatarUrl: 'ftp://x',
    });
    expect(check.fields).toEqual(['email', 'phoneNumber', 'middleNames.1', 'avatarUrl']);
    expect(check.problems).toHaveLength(4);
  });

  it('never throws, whatever the body holds', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom(...END_USER_FIELD_NAMES, 'id'), fc.jsonValue()), (body) => {
        const check = checkEndUserFields(body);
        expect(check.problems.length === 0 || check.fields.length > 0).toBe(true);
      }),
    );
  });
});

describe('END_USER_PII_FIELDS', () => {
  it('lists every text column of the end user (anonymization and export rely on it)', () => {
    const textColumns = getMetadataArgsStorage()
      .columns.filter((c) => c.target === EndUserEntity)
      .filter((c) => ['varchar', 'simple-json', 'text'].includes(String(c.options.type)))
      .map((c) => c.propertyName);
    expect([...END_USER_PII_FIELDS].sort()).toEqual(textColumns.sort());
    expect([...END_USER_FIELD_NAMES].sort()).toEqual([...END_USER_PII_FIELDS].sort());
  });
});
