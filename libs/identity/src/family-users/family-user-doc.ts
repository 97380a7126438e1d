import { IdentityError } from '../common/errors/identity-error.js';
import type { JsonObject } from '../common/persistence/persistence.js';
import { MAX_FAMILY_NUMBER } from './family-numbers.js';

/** Fields of `doc` that are credentials, kept on the central login and never among the form fields. */
const CREDENTIAL_FIELDS = new Set(['username', 'password']);
/** How much JSON a registration's form fields may hold. */
const MAX_FIELDS_JSON = 65_536;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `doc` without credentials: what is stored as the registration's form fields. */
export function formFieldsOf(doc: JsonObject): JsonObject {
  const fields = Object.fromEntries(Object.entries(doc).filter(([key]) => !CREDENTIAL_FIELDS.has(key)));
  if (JSON.stringify(fields).length > MAX_FIELDS_JSON) {
    throw IdentityError.validation(`doc: form fields must be at most ${MAX_FIELDS_JSON} characters of JSON`, [
      'doc',
    ]);
  }
  return fields;
}

/** Refuses Regpack's system fields (`_`-prefixed), which a client may read but never write, naming each. */
export function refuseSystemFields(doc: JsonObject): void {
  const system = Object.keys(doc).filter((key) => key.startsWith('_'));
  if (system.length > 0) {
    throw IdentityError.validation(
      `doc: system fields cannot be written: ${system.join(', ')}`,
      system.map((key) => `doc.${key}`),
    );
  }
}

/** Collects field problems and throws them as one validation error naming every field. */
export class DocProblems {
  private readonly messages: string[] = [];
  private readonly fields: string[] = [];

  add(field: string, problem: string): void {
    this.fields.push(field);
    this.messages.push(`${field}: ${problem}`);
  }

  throwIfAny(): void {
    if (this.messages.length > 0) {
      throw IdentityError.validation(this.messages.join('; '), this.fields);
    }
  }
}

/** A string field of `doc` within bounds (trimmed unless `raw`); undefined, with a problem noted, otherwise. */
export function stringField(
  doc: JsonObject,
  name: string,
  problems: DocProblems,
  options: { min?: number; max: number; required?: boolean; raw?: boolean; path?: string },
): string | undefined {
  const path = options.path ?? `doc.${name}`;
  const value = doc[name];
  if (value === undefined || value === null) {
    if (options.required) {
      problems.add(path, 'is required');
    }
    return undefined;
  }
  if (typeof value !== 'string' && typeof value !== 'number') {
    problems.add(path, 'must be a string');
    return undefined;
  }
  const text = options.raw ? String(value) : String(value).trim();
  const min = options.min ?? (options.required ? 1 : 0);
  if (text.length < min || text.length > options.max) {
    problems.add(
      path,
      min > 0 ? `must be ${min} to ${options.max} characters` : `must be at most ${options.max} characters`,
    );
    return undefined;
  }
  return text;
}

/** An email address field of `doc`. */
export function emailField(
  doc: JsonObject,
  name: string,
  problems: DocProblems,
  required: boolean,
): string | undefined {
  const value = stringField(doc, name, problems, { max: 320, required });
  if (value !== undefined && !EMAIL.test(value)) {
    problems.add(`doc.${name}`, 'must be an email address');
    return undefined;
  }
  return value;
}

/** A password: 6 to 1,024 characters, kept exactly as given (no trimming). */
export function passwordField(doc: JsonObject, problems: DocProblems, required: boolean): string | undefined {
  const value = doc.password;
  if (value === undefined || value === null) {
    if (required) {
      problems.add('doc.password', 'is required');
    }
    return undefined;
  }
  if (typeof value !== 'string' || value.length < 6 || value.length > 1024) {
    problems.add('doc.password', 'must be a string of at least 6 characters');
    return undefined;
  }
  return value;
}

/** A whole number as Regpack sends them (a number or a numeric string), within `min`..2^31-1. */
export function wholeNumberOf(value: unknown, min = 1): number | undefined {
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  return typeof number === 'number' &&
    Number.isInteger(number) &&
    number >= min &&
    number <= MAX_FAMILY_NUMBER
    ? number
    : undefined;
}

/** A flag as Regpack's clients send them: `true`, `1`, `"1"`, `"true"`, `"yes"` are set; the rest are not. */
export function flagOf(value: unknown): boolean {
  return value === true || value === 1 || (typeof value === 'string' && /^(1|true|yes)$/i.test(value.trim()));
}
