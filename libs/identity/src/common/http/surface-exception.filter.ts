import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { IdentityError } from '../errors/identity-error.js';

/** An error reduced to what every seed shape needs. */
export interface NormalizedError {
  status: number;
  message: string;
  fields?: string[];
  retryAfterSeconds?: number;
}

/** PostgreSQL data exceptions caused by client values: bad encoding or NUL, too long, out of range, bad format. */
const CLIENT_DATA_ERRORS = new Set(['22021', '22P05', '22001', '22003', '22P02', '22007', '22008']);

/** Turns any thrown value into a status and a message that is safe to show a client. */
export function normalizeError(exception: unknown): NormalizedError {
  if (exception instanceof IdentityError) {
    return { status: exception.getStatus(), message: exception.message, ...exception.details };
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    let message = exception.message;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const raw = (response as { message: unknown }).message;
      message = Array.isArray(raw) ? raw.join('; ') : String(raw);
    }
    return { status: exception.getStatus(), message };
  }
  // PostgreSQL refuses some client text outright (a NUL character, an invalid byte sequence, a value
  // too long or out of range): that is bad input, not a server fault.
  if (exception instanceof QueryFailedError) {
    const code = (exception.driverError as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && CLIENT_DATA_ERRORS.has(code)) {
      return {
        status: 400,
        message: 'Invalid data provided: a value contains characters or a size that cannot be stored.',
      };
    }
  }
  // body-parser errors (malformed JSON, too large) carry their own 4xx status.
  if (typeof exception === 'object' && exception !== null && 'status' in exception && 'type' in exception) {
    const status = Number((exception as { status: unknown }).status);
    if (status >= 400 && status < 500) {
      return {
        status,
        message:
          'The request body could not be read: ' + String((exception as { message?: unknown }).message),
      };
    }
  }
  return { status: 500, message: 'Internal server error.' };
}

/**
 * Base of the per-surface exception filters: every error leaves in that seed's own body shape.
 * Subclasses only say how the body looks.
 */
export abstract class SurfaceExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('IdentityModule');

  protected abstract body(error: NormalizedError): Record<string, unknown>;

  catch(exception: unknown, host: ArgumentsHost): void {
    this.respond(exception, host.switchToHttp().getResponse<Response>());
  }

  /** Writes any thrown value to the response in this surface's shape. */
  respond(exception: unknown, response: Response): void {
    const error = normalizeError(exception);
    if (error.status >= 500) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    if (error.retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    response.status(error.status).json(this.body(error));
  }
}

/** `{ message }`: the Dixa and Zaia error shape, also used by the module's own management routes. */
@Catch()
export class MessageExceptionFilter extends SurfaceExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    return error.fields && error.fields.length > 0
      ? { message: error.message, fields: error.fields }
      : { message: error.message };
  }
}
