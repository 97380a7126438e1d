import { isEmail } from 'class-validator';
import { parsePhoneNumberFromString } from 'libphonenumber-js/core';
// The metadata by its package name (not the default entry, which reaches it by a relative `.json.js` path
// that Jest's `.js`-stripping module mapper turns into a JSON import).
import metadata from 'libphonenumber-js/min/metadata';
import type { EndUserEntity } from './end-user.entity.js';

/** The fields of an end user a client writes (Dixa's `EndUser` minus `id`, `createdAt`, custom attributes). */
export type EndUserFields = Pick<
  EndUserEntity,
  | 'displayName'
  | 'email'
  | 'phoneNumber'
  | 'additionalEmails'
  | 'additionalPhoneNumbers'
  | 'firstName'
  | 'lastName'
  | 'middleNames'
  | 'avatarUrl'
  | 'externalId'
>;

/** What host code passes to create or change an end user; `null` clears a field. Unknown fields are ignored. */
export type EndUserInput = { [K in keyof EndUserFields]?: EndUserFields[K] | null };

/** Every writable field, in the seed's order. */
export const END_USER_FIELD_NAMES = [
  'displayName',
  'email',
  'phoneNumber',
  'additionalEmails',
  'additionalPhoneNumbers',
  'firstName',
  'lastName',
  'middleNames',
  'avatarUrl',
  'externalId',
] as const satisfies readonly (keyof EndUserFields)[];

/** The fields of a user nothing has been written to; what PUT leaves in fields it does not send. */
export const EMPTY_END_USER_FIELDS: EndUserFields = {
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
};

/** Limits of the stored values; the columns are sized to them. */
export const END_USER_LIMITS = {
  name: 255,
  email: 320,
  phoneInput: 40,
  avatarUrl: 2048,
  externalId: 255,
  listItems: 50,
} as const;

/** The outcome of checking one body: the normalised changes it asks for, or what is wrong with it. */
export interface EndUserFieldCheck {
  changes: Partial<EndUserFields>;
  /** `field: problem` lines; empty when the body is valid. */
  problems: string[];
  /** The offending fields. */
  fields: string[];
}

/**
 * A phone number in E.164 (`+4512345678`), or undefined when the text is not one. Numbers must carry
 * their country code; the number must be of a possible length for its country (not necessarily assigned).
 * Idempotent: normalising the answer gives the answer.
 */
export function normalizePhoneNumber(text: string): string | undefined {
  if (text.length > END_USER_LIMITS.phoneInput || !/^\s*(\+|00)/.test(text)) {
    return undefined;
  }
  const input = text.trim().replace(/^00/, '+');
  const parsed = parsePhoneNumberFromString(input, metadata);
  if (!parsed?.isPossible()) {
    return undefined;
  }
  // Some degenerate numbers lose another national prefix digit each time they are parsed
  // (`+4300000` → `+430000`): only a number that is its own normal form can be stored and filtered by.
  // An input already in that form parsed to itself, so parsing it again would change nothing.
  return parsed.number === input ||
    parsePhoneNumberFromString(parsed.number, metadata)?.number === parsed.number
    ? parsed.number
    : undefined;
}

/** An email address trimmed and lower-cased, or undefined when the text is not one. */
export function normalizeEmail(text: string): string | undefined {
  const email = text.trim().toLowerCase();
  return email.length <= END_USER_LIMITS.email && isEmail(email) ? email : undefined;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

type Problem = (field: string, message: string) => void;

function checkText(
  field: string,
  value: unknown,
  max: number,
  problem: Problem,
  min = 0,
): string | undefined {
  if (typeof value !== 'string') {
    problem(field, 'must be a string');
    return undefined;
  }
  if (value.length < min || value.length > max) {
    problem(
      field,
      min > 0 ? `must be ${min} to ${max} characters long` : `must be at most ${max} characters long`,
    );
    return undefined;
  }
  return value;
}

function checkEmail(field: string, value: unknown, problem: Problem): string | undefined {
  const text = checkText(field, value, END_USER_LIMITS.email, problem);
  if (text === undefined) {
    return undefined;
  }
  const email = normalizeEmail(text);
  if (email === undefined) {
    problem(field, 'must be an email address');
  }
  return email;
}

function checkPhone(field: string, value: unknown, problem: Problem): string | undefined {
  const text = checkText(field, value, END_USER_LIMITS.phoneInput, problem);
  if (text === undefined) {
    return undefined;
  }
  const phone = normalizePhoneNumber(text);
  if (phone === undefined) {
    problem(field, 'must be a phone number in international format, e.g. +4512345678');
  }
  return phone;
}

function checkList(
  field: string,
  value: unknown,
  problem: Problem,
  item: (field: string, value: unknown, problem: Problem) => string | undefined,
): string[] | undefined {
  if (value === null) {
    return [];
  }
  if (!Array.isArray(value)) {
    problem(field, 'must be an array of strings');
    return undefined;
  }
  if (value.length > END_USER_LIMITS.listItems) {
    problem(field, `must hold at most ${END_USER_LIMITS.listItems} items`);
    return undefined;
  }
  const items = value.map((v, i) => item(`${field}.${i}`, v, problem));
  return items.every((v) => v !== undefined) ? [...new Set(items as string[])] : undefined;
}

const CHECKS: {
  [K in keyof EndUserFields]: (field: K, value: unknown, problem: Problem) => EndUserFields[K] | undefined;
} = {
  displayName: (f, v, p) => checkText(f, v, END_USER_LIMITS.name, p),
  email: (f, v, p) => checkEmail(f, v, p),
  phoneNumber: (f, v, p) => checkPhone(f, v, p),
  additionalEmails: (f, v, p) => checkList(f, v, p, checkEmail),
  additionalPhoneNumbers: (f, v, p) => checkList(f, v, p, checkPhone),
  firstName: (f, v, p) => checkText(f, v, END_USER_LIMITS.name, p),
  lastName: (f, v, p) => checkText(f, v, END_USER_LIMITS.name, p),
  middleNames: (f, v, p) => checkList(f, v, p, (f2, v2, p2) => checkText(f2, v2, END_USER_LIMITS.name, p2)),
  avatarUrl: (f, v, p) => {
    const text = checkText(f, v, END_USER_LIMITS.avatarUrl, p);
    if (text !== undefined && !isHttpUrl(text)) {
      p(f, 'must be an http or https URL');
      return undefined;
    }
    return text;
  },
  externalId: (f, v, p) => checkText(f, v, END_USER_LIMITS.externalId, p, 1),
};

const LIST_FIELDS = new Set<string>(['additionalEmails', 'additionalPhoneNumbers', 'middleNames']);

/**
 * Checks and normalises the end-user fields present in `body` (other keys are ignored, as Dixa does):
 * emails trimmed and lower-cased, phone numbers in E.164, list items de-duplicated. `null` clears a
 * field (an empty list for list fields). The one rule set of single calls, bulk items and host code.
 */
export function checkEndUserFields(body: Record<string, unknown>): EndUserFieldCheck {
  const changes: Partial<Record<keyof EndUserFields, unknown>> = {};
  const problems: string[] = [];
  const fields: string[] = [];
  const problem: Problem = (field, message) => {
    problems.push(`${field}: ${message}`);
    fields.push(field);
  };
  for (const name of END_USER_FIELD_NAMES) {
    const value = body[name];
    if (value === undefined) {
      continue;
    }
    if (value === null && !LIST_FIELDS.has(name)) {
      changes[name] = null;
      continue;
    }
    const checked = (CHECKS[name] as (f: string, v: unknown, p: Problem) => unknown)(name, value, problem);
    if (checked !== undefined) {
      changes[name] = checked;
    }
  }
  return { changes: changes as Partial<EndUserFields>, problems, fields };
}
