import { HttpException } from '@nestjs/common';

/** What went wrong, independent of any HTTP surface; each surface's filter maps it to its seed's shape. */
export enum IdentityErrorCode {
  Validation = 'validation',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  RateLimited = 'rate_limited',
  Internal = 'internal',
}

/** HTTP status of each error code. */
export const IDENTITY_ERROR_STATUS: Record<IdentityErrorCode, number> = {
  [IdentityErrorCode.Validation]: 400,
  [IdentityErrorCode.Unauthenticated]: 401,
  [IdentityErrorCode.Forbidden]: 403,
  [IdentityErrorCode.NotFound]: 404,
  [IdentityErrorCode.Conflict]: 409,
  [IdentityErrorCode.RateLimited]: 429,
  [IdentityErrorCode.Internal]: 500,
};

/**
 * A domain error thrown by the module's services and guards; never carries a secret. It is an
 * HttpException too, so on a host's own routes (guards) Nest answers with the right status.
 */
export class IdentityError extends HttpException {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
    /** Extra facts for the response: offending fields, or seconds until a rate limit resets. */
    readonly details: { fields?: string[]; retryAfterSeconds?: number } = {},
  ) {
    super({ statusCode: IDENTITY_ERROR_STATUS[code], error: code, message }, IDENTITY_ERROR_STATUS[code]);
    this.name = 'IdentityError';
  }

  static validation(message: string, fields: string[] = []): IdentityError {
    return new IdentityError(IdentityErrorCode.Validation, message, { fields });
  }

  static unauthenticated(message = 'Missing or invalid credentials.'): IdentityError {
    return new IdentityError(IdentityErrorCode.Unauthenticated, message);
  }

  static forbidden(message: string): IdentityError {
    return new IdentityError(IdentityErrorCode.Forbidden, message);
  }

  static notFound(message: string): IdentityError {
    return new IdentityError(IdentityErrorCode.NotFound, message);
  }

  static conflict(message: string): IdentityError {
    return new IdentityError(IdentityErrorCode.Conflict, message);
  }
}
