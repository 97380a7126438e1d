import { expect } from '@jest/globals';
import { IdentityError } from '../src/index.js';

/**
 * The `IdentityError` a promise rejects with (a guard's refusal, a service's domain error); fails the
 * test when it resolves, or rejects with anything else.
 */
export async function refusal(promise: Promise<unknown>): Promise<IdentityError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(IdentityError);
  return err as IdentityError;
}
