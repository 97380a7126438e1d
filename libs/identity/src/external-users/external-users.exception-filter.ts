import { Catch } from '@nestjs/common';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { type NormalizedError, SurfaceExceptionFilter } from '../common/http/surface-exception.filter.js';

/** Zaia's message for every invalid request, whatever the field. */
export const ZAIA_INVALID_DATA = 'Invalid data provided.';

/** One offending field of a 400: its dotted path and what is wrong with it. */
export interface ZaiaErrorDetail {
  field: string;
  message: string;
}

/**
 * The problems of each named field, from the validation description (`name must be…; tierId: must…`).
 * Lines naming no field (an unreadable body) are left out; a field without a line gets a generic one.
 */
export function detailsOf(error: NormalizedError): ZaiaErrorDetail[] {
  const lines = error.description.split('; ');
  return (error.fields ?? []).map((field) => {
    const own = lines.filter((line) => line.startsWith(`${field} `) || line.startsWith(`${field}:`));
    return { field, message: own.length > 0 ? own.join('; ') : `${field} is invalid` };
  });
}

/**
 * Zaia's error shape: `{ message }` with the status; a 400 says "Invalid data provided." and lists the
 * offending fields in `details`. Not-found, conflict and blocked cases keep the service's sentence
 * ("Channel not found.", "External user group external id already exists in this workspace.").
 */
@Catch()
export class ExternalUsersExceptionFilter extends SurfaceExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    if (error.code === IdentityErrorCode.Validation) {
      return { message: ZAIA_INVALID_DATA, details: detailsOf(error) };
    }
    return { message: error.description };
  }
}
