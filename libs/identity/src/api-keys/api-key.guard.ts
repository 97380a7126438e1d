import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { REQUIRE_SCOPE_KEY, SKIP_RATE_LIMIT_KEY } from '../identity.constants.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { CredentialGuard } from '../common/http/credential-guard.js';
import { clientOf, type CredentialRequest } from '../common/http/credential-request.js';
import { RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { type ApiKeyCredential, readApiKeyCredential } from './api-key-credential.js';
import type { ApiKeyScope } from './api-key.entity.js';
import { type ApiKeyPrincipal, ApiKeysService } from './api-keys.service.js';

/** A request admitted by `ApiKeyGuard`. */
export interface IdentityRequest extends CredentialRequest {
  identity?: ApiKeyPrincipal;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Admits requests carrying a valid workspace API key (any seed header style), then enforces scope
 * (`read` keys only on GET routes, or `@RequireScope()`) and the per-key rate limit. Override
 * `getToken` to read keys from elsewhere, or `authorize` to add rules of your own.
 */
@Injectable()
export class ApiKeyGuard extends CredentialGuard<ApiKeyCredential, ApiKeyPrincipal> {
  protected readonly principalProperty = 'identity';

  constructor(
    reflector: Reflector,
    protected readonly apiKeys: ApiKeysService,
    protected readonly rateLimiter: RateLimiter,
  ) {
    super(reflector);
  }

  /** Reads the key in any seed's header style; a missing Authorization header reads as undefined. */
  protected getToken(request: CredentialRequest): ApiKeyCredential | undefined {
    if (request.headers.authorization === undefined && request.headers['api-token'] === undefined) {
      return undefined;
    }
    return readApiKeyCredential(request.headers);
  }

  protected missingCredential(): IdentityError {
    return IdentityError.unauthenticated(
      'Missing API key: send it in the Authorization header.',
      IdentityErrorReason.MissingCredential,
    );
  }

  protected authenticate(credential: ApiKeyCredential, request: CredentialRequest): Promise<ApiKeyPrincipal> {
    return this.apiKeys.authenticate(credential.secret, {
      apiId: credential.apiId,
      apiUser: credential.apiUser,
      client: clientOf(request),
    });
  }

  /** A cached key, answered without waiting; undefined when the key is not cached. */
  protected override authenticateCached(
    credential: ApiKeyCredential,
    _request: CredentialRequest,
  ): ApiKeyPrincipal | undefined {
    return this.apiKeys.authenticateCached(credential.secret, {
      apiId: credential.apiId,
      apiUser: credential.apiUser,
    });
  }

  /**
   * Scope (`@RequireScope()`, else by HTTP method), then the per-key rate limit (unless
   * `@SkipRateLimit()`); synchronous with the in-process counter, a promise with Redis.
   */
  protected override authorize(principal: ApiKeyPrincipal, context: ExecutionContext): void | Promise<void> {
    const method = context.getArgByIndex<CredentialRequest>(0).method ?? 'GET';
    const required =
      this.routeMetadata<ApiKeyScope>(REQUIRE_SCOPE_KEY, context) ??
      (READ_METHODS.has(method) ? 'read' : 'write');
    if (required === 'write' && principal.scope !== 'write') {
      throw IdentityError.forbidden(
        IdentityErrorReason.ReadOnlyKey,
        'This API key is read-only; this call needs a read-write key.',
      );
    }
    if (!this.routeMetadata<boolean>(SKIP_RATE_LIMIT_KEY, context)) {
      return this.rateLimiter.consumeNow(`api-key:${principal.apiKeyId}`);
    }
  }
}
