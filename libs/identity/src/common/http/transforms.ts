import type { TransformFnParams } from 'class-transformer';

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
 * `@Transform(jsonFromString)`: a JSON object sent as a query string (`properties={"a":1}`) is parsed;
 * anything that is not valid JSON is left as it is, so validation names the field.
 */
export function jsonFromString({ value }: TransformFnParams): unknown {
  if (typeof value !== 'string') {
    return value;
  }
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
