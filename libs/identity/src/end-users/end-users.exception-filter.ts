import { Catch } from '@nestjs/common';
import { IdentityErrorReason } from '../common/errors/identity-error.js';
import { type NormalizedError, SurfaceExceptionFilter } from '../common/http/surface-exception.filter.js';

/** Dixa's wording of each failure (as its API words rejected input); everything else keeps the domain's description. */
const WORDING: Partial<Record<IdentityErrorReason, string>> = {
  [IdentityErrorReason.InvalidInput]: 'Invalid value for: ',
  [IdentityErrorReason.UnstorableValue]: 'Invalid value for: body: ',
  [IdentityErrorReason.UnreadableBody]: 'Invalid value for: body: ',
};

/** Dixa's error shape: `{ message }` with the HTTP status of the error (400, 401, 403, 404, 409, 429, 500). */
@Catch()
export class EndUsersExceptionFilter extends SurfaceExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    return { message: (WORDING[error.reason] ?? '') + error.description };
  }
}
