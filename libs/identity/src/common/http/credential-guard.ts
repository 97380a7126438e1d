import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { IdentityError } from '../errors/identity-error.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../persistence/connection-errors.js';
import type { CredentialRequest } from './credential-request.js';
import { setResponseHeader } from './http-reply.js';

/** Metadata read once per (handler, class) pair and kept, so a request pays a map lookup only. */
type MetadataCache = WeakMap<object, WeakMap<object, Map<string, unknown>>>;

/**
 * Base of the module's guards: read the credential (`getToken`), check it (`authenticate`), apply the
 * route's rules (`authorize`), then attach the principal to the request for its `@CurrentX()`
 * decorator. Hosts may subclass a guard and override the protected hooks, as with `ThrottlerGuard`.
 * A 429 from any step carries `Retry-After`, on the module's routes and on the host's own; so does the
 * 503 of a database that cannot be reached.
 */
export abstract class CredentialGuard<C, P> implements CanActivate {
  private readonly metadataCache: MetadataCache = new WeakMap();

  constructor(protected readonly reflector: Reflector) {}

  /** The request property the principal is attached to (`identity`, `userGroup`). */
  protected abstract readonly principalProperty: string;

  /** Reads the credential from the request; undefined when none was sent (answered 401). */
  protected abstract getToken(request: CredentialRequest): C | undefined;

  /** Checks the credential; throws an `IdentityError` (401, 429) when it does not authenticate. */
  protected abstract authenticate(credential: C, request: CredentialRequest): Promise<P>;

  /** The error for a request that sent no credential at all. */
  protected abstract missingCredential(): IdentityError;

  /** The route's rules for an authenticated principal (scope, environment, tier…); throws 403 or 429. */
  protected authorize(_principal: P, _context: ExecutionContext): void | Promise<void> {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<CredentialRequest & Record<string, unknown>>();
    try {
      const credential = this.getToken(request);
      if (credential === undefined) {
        throw this.missingCredential();
      }
      const principal = await this.authenticate(credential, request);
      await this.authorize(principal, context);
      request[this.principalProperty] = principal;
      return true;
    } catch (caught) {
      // On a host's own routes Nest's default handler answers any non-HTTP error 500: a lost database
      // connection while checking the credential is a 503 with Retry-After there too.
      const err = isDatabaseUnavailable(caught)
        ? IdentityError.unavailable(
            'The database is unavailable; the credential could not be checked. Try again shortly.',
            DATABASE_RETRY_AFTER_SECONDS,
          )
        : caught;
      if (err instanceof IdentityError && err.details.retryAfterSeconds !== undefined) {
        setResponseHeader(http.getResponse<object>(), 'Retry-After', String(err.details.retryAfterSeconds));
      }
      throw err;
    }
  }

  /** `reflector.getAllAndOverride(key, [handler, class])`, computed once per route and then kept. */
  protected routeMetadata<T>(key: string, context: ExecutionContext): T | undefined {
    const handler = context.getHandler();
    const controller = context.getClass();
    let byClass = this.metadataCache.get(handler);
    if (!byClass) {
      byClass = new WeakMap();
      this.metadataCache.set(handler, byClass);
    }
    let values = byClass.get(controller);
    if (!values) {
      values = new Map();
      byClass.set(controller, values);
    }
    if (!values.has(key)) {
      values.set(key, this.reflector.getAllAndOverride<T | undefined>(key, [handler, controller]));
    }
    return values.get(key) as T | undefined;
  }
}
