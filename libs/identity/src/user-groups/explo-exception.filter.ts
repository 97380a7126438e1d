import { Catch } from '@nestjs/common';
import { type NormalizedError, SeedExceptionFilter } from '../common/errors/seed-exception.filter.js';

/** Explo's error shape: `{ success: 0, error: "<message>" }` with the HTTP status of the error. */
@Catch()
export class ExploExceptionFilter extends SeedExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    return { success: 0, error: error.message };
  }
}
