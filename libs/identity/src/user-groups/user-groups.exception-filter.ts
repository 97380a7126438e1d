import { Catch } from '@nestjs/common';
import { type NormalizedError, SurfaceExceptionFilter } from '../common/http/surface-exception.filter.js';

/** Explo's error shape: `{ success: 0, error: "<message>" }` with the HTTP status of the error. */
@Catch()
export class UserGroupsExceptionFilter extends SurfaceExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    return { success: 0, error: error.message };
  }
}
