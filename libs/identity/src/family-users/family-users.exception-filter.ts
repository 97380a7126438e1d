import { Catch } from '@nestjs/common';
import { IdentityErrorReason } from '../common/errors/identity-error.js';
import { type NormalizedError, SurfaceExceptionFilter } from '../common/http/surface-exception.filter.js';

/** Regpack's wording of some failures; everything else keeps the domain's own description. */
const WORDING: Partial<Record<IdentityErrorReason, string>> = {
  [IdentityErrorReason.InvalidInput]: 'Invalid data: ',
  [IdentityErrorReason.UnstorableValue]: 'Invalid data: ',
  [IdentityErrorReason.UnreadableBody]: 'The request body could not be read: ',
};

/** Regpack's error shape: `{ success: false, msg, msg_type: 'error' }` with the HTTP status of the error. */
@Catch()
export class FamilyUsersExceptionFilter extends SurfaceExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    return { success: false, msg: (WORDING[error.reason] ?? '') + error.description, msg_type: 'error' };
  }
}
