import { Catch } from '@nestjs/common';
import { IdentityErrorReason } from '../common/errors/identity-error.js';
import { type NormalizedError, SurfaceExceptionFilter } from '../common/http/surface-exception.filter.js';

/** Explo's wording of each failure; everything else keeps the domain's own description. */
const WORDING: Partial<Record<IdentityErrorReason, string>> = {
  [IdentityErrorReason.InvalidInput]: 'Invalid data provided: ',
  [IdentityErrorReason.UnstorableValue]: 'Invalid data provided: ',
  [IdentityErrorReason.UnreadableBody]: 'The request body could not be read: ',
};

function exploMessage(error: NormalizedError): string {
  return (WORDING[error.reason] ?? '') + error.description;
}

/** Explo's error shape: `{ success: 0, error: "<message>" }` with the HTTP status of the error. */
@Catch()
export class UserGroupsExceptionFilter extends SurfaceExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    return { success: 0, error: exploMessage(error) };
  }
}
