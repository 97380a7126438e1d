import { expect } from '@jest/globals';
import { IdentityError } from '../src/index.js';

/**
 * The `IdentityError` a promise rejects with (a guard's refusal, a service's domain error); fails the
 * test when it resolves, or rejects with anything else. A plain value (a guard that admitted
 * synchronously) counts as resolved.
 */
export async function refusal(outcome: Promise<unknown> | boolean): Promise<IdentityError> {
  const err = await Promise.resolve(outcome).then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdentityError);
  return err as IdentityError;
}
