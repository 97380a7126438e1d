import type { TransformFnParams } from 'class-transformer';
import { ValidateIf } from 'class-validator';
import { assertSafeInput } from './validation.pipe.js';

/** `@Transform(booleanFromString)`: `'true'`/`'false'` from a query string become booleans; the rest is left for validation. */
export function booleanFromString({ value }: TransformFnParams): unknown {
  if (value === 'true') {
    return true;
  }
  if (value === 'false') {
    return false;
  }
  return value;
}

/**
 * `@Transform(jsonFromString)`: a JSON object sent as a query string (`properties={"a":1}`) is parsed.
 * What is not valid JSON is left as the string, so validation names the field; what parses into input
 * the pipe would have refused (nested deeper than `MAX_INPUT_DEPTH`, NUL, unpaired surrogates: the
 * pipe saw only the string) is refused here the same way.
 */
export function jsonFromString({ value, key }: TransformFnParams): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value) as unknown;
  } catch {
    return value;
  }
  assertSafeInput(parsed, key);
  return parsed;
}

/**
 * `@OptionalNotNull()` in place of `@IsOptional()` for a field that may be left out but never cleared:
 * `@IsOptional()` skips the field's rules for null too, so `{ "label": null }` would reach a NOT NULL
 * column (a 500). Only a missing field skips them here; null fails them (a 400 naming the field).
 */
export function OptionalNotNull(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
