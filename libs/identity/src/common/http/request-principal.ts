import type { ExecutionContext } from '@nestjs/common';
import { IdentityError, IdentityErrorCode, IdentityErrorReason } from '../errors/identity-error.js';

/**
 * What a guard attached to the request under `property`, for a `@CurrentX()` decorator. Missing means a
 * route used the decorator without its guard: a wiring bug in the host (500), not a client error.
 */
export function requestPrincipal<T>(context: ExecutionContext, property: string, guardDecorator: string): T {
  const value = context.switchToHttp().getRequest<Record<string, unknown>>()[property];
  if (value === undefined) {
    throw new IdentityError(
      IdentityErrorCode.Internal,
      IdentityErrorReason.Internal,
      `Nothing authenticated this request; protect the route with ${guardDecorator}.`,
    );
  }
  return value as T;
}
