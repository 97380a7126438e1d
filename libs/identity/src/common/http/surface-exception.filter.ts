import { STATUS_CODES } from 'node:http';
import { type ArgumentsHost, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import {
  IDENTITY_ERROR_STATUS,
  IdentityError,
  IdentityErrorCode,
  IdentityErrorReason,
} from '../errors/identity-error.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../persistence/connection-errors.js';
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

/**
 * An error the HTTP platform raised before any route ran, carrying its HTTP status: an http-errors
 * object (body-parser, Express's router, a host's own middleware), a FastifyError (content-type parser,
 * router), or a zlib error to which body-parser attached a status.
 */
interface PlatformError {
  name?: unknown;
  statusCode?: unknown;
  status?: unknown;
  code?: unknown;
  type?: unknown;
  expose?: unknown;
  errno?: unknown;
  message?: unknown;
}

/**
 * The status of a platform error, or undefined when `value` is not one. Only errors with a platform's
 * marks count (http-errors' `expose`, a FastifyError, a router's URIError, a parser's SyntaxError, a
 * decompression error), so an arbitrary library error that happens to carry a `status` stays a 500.
 */
function platformStatus(value: unknown): number | undefined {
  // Read by shape, not `instanceof Error`: Node's own errors (zlib's) may come from another realm.
  if (typeof value !== 'object' || value === null || typeof (value as PlatformError).message !== 'string') {
    return undefined;
  }
  const error = value as PlatformError;
  const status = typeof error.statusCode === 'number' ? error.statusCode : error.status;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) {
    return undefined;
  }
  const httpError = typeof error.expose === 'boolean' && error.status === error.statusCode;
  const fastifyError =
    error.name === 'FastifyError' || (typeof error.code === 'string' && error.code.startsWith('FST_ERR_'));
  const parserError =
    error.name === 'URIError' ||
    error.name === 'SyntaxError' ||
    isDecompressionError(error) ||
    error.code === 'ECONNRESET'; // the client went away mid-body (Fastify gives it a 400)
  return httpError || fastifyError || parserError ? status : undefined;
}

/** body-parser's and raw-body's error types (`entity.parse.failed`, `entity.too.large`, `encoding.unsupported`…). */
const BODY_ERROR_TYPE = /^(entity|encoding|charset|request|stream)\./;

/** The body could not be read: malformed, too large, of an unsupported type or encoding, or not decodable. */
function isUnreadableBody(error: PlatformError): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return (
    (typeof error.type === 'string' && BODY_ERROR_TYPE.test(error.type)) ||
    code.startsWith('FST_ERR_CTP_') ||
    isDecompressionError(error) ||
    code === 'ECONNRESET' ||
    error.name === 'SyntaxError' // a JSON parser's own error, with the status the platform gave it
  );
}

/** zlib's gzip/deflate (`Z_DATA_ERROR`…) and brotli (`ERR__ERROR_FORMAT_…`) failures. */
function isDecompressionError(error: PlatformError): boolean {
  const code = typeof error.code === 'string' ? error.code : '';
  return typeof error.errno === 'number' && (code.startsWith('Z_') || code.startsWith('ERR__'));
}

/** A percent-escape in the path that does not decode (Express's router, Fastify's router). */
function isBadUrl(error: PlatformError): boolean {
  return error.name === 'URIError' || error.code === 'FST_ERR_BAD_URL';
}

function normalizePlatformError(error: PlatformError & { message: string }, status: number): NormalizedError {
  if (status >= 500) {
    return INTERNAL;
  }
  const code = CODE_OF_STATUS[status] ?? IdentityErrorCode.Validation;
  if (isBadUrl(error)) {
    return {
      status,
      code,
      reason: IdentityErrorReason.InvalidInput,
      description: 'the URL path holds a percent-escape that does not decode.',
    };
  }
  const exposed = error.expose !== false ? error.message : (STATUS_CODES[status] ?? 'Bad Request');
  if (isUnreadableBody(error)) {
    let description = exposed;
    if (status === 413) {
      description = 'the body is larger than this server accepts.'; // one wording on every platform
    } else if (isDecompressionError(error)) {
      description = `the body does not decode as its Content-Encoding says (${exposed}).`;
    }
    return { status, code, reason: IdentityErrorReason.UnreadableBody, description };
  }
  return {
    status,
    code,
    reason: status === 404 ? IdentityErrorReason.NotFound : IdentityErrorReason.InvalidInput,
    description: exposed,
  };
}

const INTERNAL: NormalizedError = {
  status: IDENTITY_ERROR_STATUS[IdentityErrorCode.Internal],
  code: IdentityErrorCode.Internal,
  reason: IdentityErrorReason.Internal,
  description: 'Internal server error.',
};

const DATABASE_UNAVAILABLE: NormalizedError = {
  status: IDENTITY_ERROR_STATUS[IdentityErrorCode.Unavailable],
  code: IdentityErrorCode.Unavailable,
  reason: IdentityErrorReason.DatabaseUnavailable,
  description: 'The database is unavailable; nothing of this call was written. Try again shortly.',
  retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
};

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
    // Nest wraps a platform's 4xx errors (body parsers, routers) in an HttpException with the original as cause.
    const causeStatus = platformStatus(exception.cause);
    if (causeStatus !== undefined) {
      return normalizePlatformError(exception.cause as PlatformError & { message: string }, causeStatus);
    }
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
  // Errors of the HTTP platform (body parsers, routers) carry their own status.
  const status = platformStatus(exception);
  if (status !== undefined) {
    return normalizePlatformError(exception as PlatformError & { message: string }, status);
  }
  // A lost or refused database connection (a restart, a terminated backend) is transient, not a fault
  // of the call: 503 with Retry-After tells a client to try again, as it would after a 429.
  if (isDatabaseUnavailable(exception)) {
    return DATABASE_UNAVAILABLE;
  }
  return INTERNAL;
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
    if (error.status === 503) {
      // The database went away (a restart, a failover): expected and transient, one line each, no stack.
      this.logger.warn(`Answered 503: ${exception instanceof Error ? exception.message : String(exception)}`);
    } else if (error.status >= 500) {
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
