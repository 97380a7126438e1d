import { type ArgumentsHost, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import {
  IDENTITY_ERROR_STATUS,
  IdentityError,
  IdentityErrorCode,
  IdentityErrorReason,
} from '../errors/identity-error.js';
import { sendJson } from './http-reply.js';

/** An error reduced to what every seed shape needs: code and reason to choose wording, a safe description. */
export interface NormalizedError {
  status: number;
  code: IdentityErrorCode;
  reason: IdentityErrorReason;
  /** A plain description of the case, safe to show a client; a filter may use it or its own words. */
  description: string;
  fields?: string[];
  retryAfterSeconds?: number;
}

/** PostgreSQL data exceptions caused by client values: bad encoding or NUL, too long, out of range, bad format. */
const CLIENT_DATA_ERRORS = new Set(['22021', '22P05', '22001', '22003', '22P02', '22007', '22008']);

const CODE_OF_STATUS: Record<number, IdentityErrorCode> = {
  400: IdentityErrorCode.Validation,
  401: IdentityErrorCode.Unauthenticated,
  403: IdentityErrorCode.Forbidden,
  404: IdentityErrorCode.NotFound,
  409: IdentityErrorCode.Conflict,
  429: IdentityErrorCode.RateLimited,
};

function isBodyParserError(exception: unknown): exception is { status: unknown; message?: unknown } {
  return typeof exception === 'object' && exception !== null && 'status' in exception && 'type' in exception;
}

/** Turns any thrown value into a code, a reason and a description that are safe to show a client. */
export function normalizeError(exception: unknown): NormalizedError {
  if (exception instanceof IdentityError) {
    return {
      status: exception.getStatus(),
      code: exception.code,
      reason: exception.reason,
      description: exception.message,
      ...exception.details,
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let description = exception.message;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const raw = (response as { message: unknown }).message;
      description = Array.isArray(raw) ? raw.join('; ') : String(raw);
    }
    return {
      status,
      code:
        CODE_OF_STATUS[status] ?? (status >= 500 ? IdentityErrorCode.Internal : IdentityErrorCode.Validation),
      reason: status === 404 ? IdentityErrorReason.NotFound : IdentityErrorReason.InvalidInput,
      description,
    };
  }
  // PostgreSQL refuses some client text outright (a NUL character, an invalid byte sequence, a value
  // too long or out of range): that is bad input, not a server fault.
  if (exception instanceof QueryFailedError) {
    const code = (exception.driverError as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && CLIENT_DATA_ERRORS.has(code)) {
      return {
        status: 400,
        code: IdentityErrorCode.Validation,
        reason: IdentityErrorReason.UnstorableValue,
        description: 'a value contains characters or a size that cannot be stored.',
      };
    }
  }
  // body-parser errors (malformed JSON, too large) carry their own 4xx status.
  if (isBodyParserError(exception)) {
    const status = Number(exception.status);
    if (status >= 400 && status < 500) {
      return {
        status,
        code: IdentityErrorCode.Validation,
        reason: IdentityErrorReason.UnreadableBody,
        description: String(exception.message),
      };
    }
  }
  return {
    status: IDENTITY_ERROR_STATUS[IdentityErrorCode.Internal],
    code: IdentityErrorCode.Internal,
    reason: IdentityErrorReason.Internal,
    description: 'Internal server error.',
  };
}

/**
 * Base of the per-surface exception filters: every error leaves in that seed's own body shape, with
 * that seed's wording. Subclasses say how the body looks; they are bound to their surface's
 * controllers when the surface is mounted, and work on Express and Fastify alike.
 */
export abstract class SurfaceExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('IdentityModule');

  /** The seed's error body for this error. */
  protected abstract body(error: NormalizedError): Record<string, unknown>;

  catch(exception: unknown, host: ArgumentsHost): void {
    this.respond(exception, host.switchToHttp().getResponse<object>());
  }

  /** Writes any thrown value to the response (Express or Fastify) in this surface's shape. */
  respond(exception: unknown, response: object): void {
    const error = normalizeError(exception);
    if (error.status >= 500) {
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    }
    const headers: Record<string, string> = {};
    if (error.retryAfterSeconds !== undefined) {
      headers['Retry-After'] = String(error.retryAfterSeconds);
    }
    sendJson(response, error.status, this.body(error), headers);
  }
}
