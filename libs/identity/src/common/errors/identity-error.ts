import { HttpException } from '@nestjs/common';

/** What kind of failure, independent of any HTTP surface; it fixes the status. */
export enum IdentityErrorCode {
  Validation = 'validation',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  RateLimited = 'rate_limited',
  Internal = 'internal',
  Unavailable = 'unavailable',
}

/**
 * Why, in the domain's terms. A surface filter chooses its seed's wording from code and reason (e.g.
 * Explo says one thing for an unknown token and another for a rotated one); the message is a plain
 * description of the case and the fallback when a filter has no wording of its own.
 */
export enum IdentityErrorReason {
  /** A field failed validation; `details.fields` names them. */
  InvalidInput = 'invalid_input',
  /** The body could not be parsed (malformed JSON, too large, bad encoding). */
  UnreadableBody = 'unreadable_body',
  /** The database refused a value (bad encoding, too long, out of range). */
  UnstorableValue = 'unstorable_value',
  /** No credential was sent. */
  MissingCredential = 'missing_credential',
  /** A credential was sent but is malformed, unknown, expired or does not match. */
  InvalidCredential = 'invalid_credential',
  /** The credential was valid once and has been revoked. */
  RevokedCredential = 'revoked_credential',
  /** A read-only API key on a call that writes. */
  ReadOnlyKey = 'read_only_key',
  /** A credential of the wrong kind of principal for this route (e.g. a Testing group on a Customer route). */
  WrongEnvironment = 'wrong_environment',
  /** The principal may not do this here (a host's own rule in a guard subclass, for example). */
  NotAllowed = 'not_allowed',
  /** The per-credential request limit is used up. */
  RateLimited = 'rate_limited',
  /** Too many failed credentials from this client; it must wait. */
  TooManyFailures = 'too_many_failures',
  /** The thing named does not exist in this workspace. */
  NotFound = 'not_found',
  /** A token that exists but is no longer the current one (rotated). */
  TokenNotCurrent = 'token_not_current',
  /** A unique value is taken already. */
  AlreadyExists = 'already_exists',
  /** A wiring mistake in the host, or an unexpected failure. */
  Internal = 'internal',
  /** The database connection was lost or refused (restart, failover, terminated backend); retrying later may work. */
  DatabaseUnavailable = 'database_unavailable',
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
  [IdentityErrorCode.Unavailable]: 503,
};

/** Extra facts for the response: offending fields, or seconds until a limit resets. */
export interface IdentityErrorDetails {
  fields?: string[];
  retryAfterSeconds?: number;
}

/**
 * A domain error thrown by the module's services and guards; never carries a secret. It is an
 * HttpException too, so on a host's own routes (guards) Nest answers with the right status.
 */
export class IdentityError extends HttpException {
  constructor(
    readonly code: IdentityErrorCode,
    readonly reason: IdentityErrorReason,
    message: string,
    readonly details: IdentityErrorDetails = {},
  ) {
    super({ statusCode: IDENTITY_ERROR_STATUS[code], error: code, message }, IDENTITY_ERROR_STATUS[code]);
    this.name = 'IdentityError';
  }

  /** Invalid input; `message` lists `field: problem`. */
  static validation(message: string, fields: string[] = []): IdentityError {
    return new IdentityError(IdentityErrorCode.Validation, IdentityErrorReason.InvalidInput, message, {
      fields,
    });
  }

  static unauthenticated(
    message = 'Missing or invalid credentials.',
    reason = IdentityErrorReason.InvalidCredential,
  ): IdentityError {
    return new IdentityError(IdentityErrorCode.Unauthenticated, reason, message);
  }

  static forbidden(reason: IdentityErrorReason, message: string): IdentityError {
    return new IdentityError(IdentityErrorCode.Forbidden, reason, message);
  }

  static notFound(message: string, reason = IdentityErrorReason.NotFound): IdentityError {
    return new IdentityError(IdentityErrorCode.NotFound, reason, message);
  }

  static conflict(message: string): IdentityError {
    return new IdentityError(IdentityErrorCode.Conflict, IdentityErrorReason.AlreadyExists, message);
  }

  static tooManyRequests(
    reason: IdentityErrorReason.RateLimited | IdentityErrorReason.TooManyFailures,
    message: string,
    retryAfterSeconds: number,
  ): IdentityError {
    return new IdentityError(IdentityErrorCode.RateLimited, reason, message, { retryAfterSeconds });
  }

  /** The database cannot be reached right now; nothing of the call was written; retry after `retryAfterSeconds`. */
  static unavailable(message: string, retryAfterSeconds: number): IdentityError {
    return new IdentityError(
      IdentityErrorCode.Unavailable,
      IdentityErrorReason.DatabaseUnavailable,
      message,
      {
        retryAfterSeconds,
      },
    );
  }
}
