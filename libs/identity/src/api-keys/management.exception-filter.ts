import { Catch } from '@nestjs/common';
import { IdentityErrorReason } from '../common/errors/identity-error.js';
import { type NormalizedError, SurfaceExceptionFilter } from '../common/http/surface-exception.filter.js';

/** How the management routes word a failure; everything else keeps the domain's own description. */
const WORDING: Partial<Record<IdentityErrorReason, string>> = {
  [IdentityErrorReason.InvalidInput]: 'Invalid data provided: ',
  [IdentityErrorReason.UnstorableValue]: 'Invalid data provided: ',
  [IdentityErrorReason.UnreadableBody]: 'The request body could not be read: ',
};

function managementMessage(error: NormalizedError): string {
  return (WORDING[error.reason] ?? '') + error.description;
}

/** The module's own management routes answer errors as `{ message, fields? }`. */
@Catch()
export class ManagementExceptionFilter extends SurfaceExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    const message = managementMessage(error);
    return error.fields && error.fields.length > 0 ? { message, fields: error.fields } : { message };
  }
}
