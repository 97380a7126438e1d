import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { type CredentialRequest, headerValue, readAuthorization } from '../common/http/credential-request.js';

/** A management credential as read from request headers, in any of the seeds' styles. */
export interface ApiKeyCredential {
  secret: string;
  /** Regpack `Api-id`: the key's public id. */
  apiId?: string;
  /** Regpack `Api-user`: who at the client is calling, for the audit log. */
  apiUser?: string;
}

/** How far a Regpack `Timestamp` may be from now. */
export const TIMESTAMP_WINDOW_MS = 5 * 60 * 1000;

type Headers = CredentialRequest['headers'];

/** Parses a Regpack `Timestamp`: Unix seconds, Unix milliseconds or an ISO 8601 date with an offset. */
export function parseTimestamp(value: string): number | undefined {
  const text = value.trim();
  if (/^\d{1,11}$/.test(text)) {
    return Number(text) * 1000;
  }
  if (/^\d{12,14}$/.test(text)) {
    return Number(text);
  }
  // An ISO date must say its offset: without one, Date.parse would read it in the server's time zone.
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/**
 * Reads the API key from `Authorization: Token <k>` (Explo), `Bearer <k>` or a bare `<k>` (Dixa, Zaia),
 * or Regpack's `Api-id` / `Api-token` / `Api-user` / `Timestamp` set. Throws `IdentityError`
 * (unauthenticated) when no credential is present or the Regpack set is incomplete or stale.
 */
export function readApiKeyCredential(headers: Headers, now = Date.now()): ApiKeyCredential {
  const request: CredentialRequest = { headers };
  const apiToken = headerValue(request, 'api-token');
  if (apiToken !== undefined) {
    const apiId = headerValue(request, 'api-id');
    const timestamp = headerValue(request, 'timestamp');
    if (!apiId || !timestamp) {
      throw IdentityError.unauthenticated('Api-token needs Api-id and Timestamp headers.');
    }
    const at = parseTimestamp(timestamp);
    if (at === undefined) {
      throw IdentityError.unauthenticated(
        'Timestamp must be Unix seconds or an ISO 8601 date with a time zone offset.',
      );
    }
    if (Math.abs(now - at) > TIMESTAMP_WINDOW_MS) {
      throw IdentityError.unauthenticated('Timestamp is more than 5 minutes from the server time.');
    }
    const apiUser = headerValue(request, 'api-user')?.trim().slice(0, 100) || undefined;
    return { secret: apiToken.trim(), apiId: apiId.trim(), apiUser };
  }
  if (!headerValue(request, 'authorization')?.trim()) {
    throw IdentityError.unauthenticated(
      'Missing API key: send it in the Authorization header.',
      IdentityErrorReason.MissingCredential,
    );
  }
  const secret = readAuthorization(request, true);
  if (secret === undefined) {
    throw IdentityError.unauthenticated(
      'Authorization must be "Token <key>", "Bearer <key>" or the bare key.',
    );
  }
  return { secret };
}
