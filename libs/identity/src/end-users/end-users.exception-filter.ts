import { Catch } from '@nestjs/common';
import { IdentityErrorReason } from '../common/errors/identity-error.js';
import { type NormalizedError, SurfaceExceptionFilter } from '../common/http/surface-exception.filter.js';

/**
 * Dixa's wording where the domain's description alone would not say what was wrong: a body it could not
 * read or store ("Invalid value for: body", as Dixa words it). Field problems already name the field.
 */
const WORDING: Partial<Record<IdentityErrorReason, string>> = {
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
