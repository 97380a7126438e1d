import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { IdentityError } from '../errors/identity-error.js';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../persistence/connection-errors.js';
import type { CredentialRequest } from './credential-request.js';
import { setResponseHeader } from './http-reply.js';

/** Metadata read once per (handler, class) pair and kept, so a request pays a map lookup only. */
type MetadataCache = WeakMap<object, WeakMap<object, Map<string, unknown>>>;

type GuardedRequest = CredentialRequest & Record<string, unknown>;

/**
 * Base of the module's guards: read the credential (`getToken`), check it (`authenticate`), apply the
 * route's rules (`authorize`), then attach the principal to the request for its `@CurrentX()`
 * decorator. Hosts may subclass a guard and override the protected hooks, as with `ThrottlerGuard`.
 * A 429 from any step carries `Retry-After`, on the module's routes and on the host's own; so does the
 * 503 of a database that cannot be reached.
 *
 * The hot path: when the credential's verdict is cached (`authenticateCached`) and the route's rules
 * need nothing asynchronous, the guard answers synchronously: no promise, no database, no allocation
 * beyond the request's own. A subclass that overrides `authenticate` without `authenticateCached`
 * always takes the `authenticate` path, so its override is never bypassed.
 */
export abstract class CredentialGuard<C, P> implements CanActivate {
  private readonly metadataCache: MetadataCache = new WeakMap();
  private cachedPath: boolean | undefined;

  constructor(protected readonly reflector: Reflector) {}

  /** The request property the principal is attached to (`identity`, `userGroup`). */
  protected abstract readonly principalProperty: string;

  /** Reads the credential from the request; undefined when none was sent (answered 401). */
  protected abstract getToken(request: CredentialRequest): C | undefined;

  /** Checks the credential; throws an `IdentityError` (401, 429) when it does not authenticate. */
  protected abstract authenticate(credential: C, request: CredentialRequest): Promise<P>;

  /**
   * `authenticate` answered without waiting when the verdict is cached (throwing as `authenticate`
   * would for a cached refusal), or undefined to take `authenticate`. Optional.
   */
  protected authenticateCached?(credential: C, request: CredentialRequest): P | undefined;

  /** The error for a request that sent no credential at all. */
  protected abstract missingCredential(): IdentityError;

  /**
   * The route's rules for an authenticated principal (scope, environment, tier…); throws 403 or 429.
   * Return nothing when the rules were settled synchronously, a promise when they need to wait.
   */
  protected authorize(_principal: P, _context: ExecutionContext): void | Promise<void> {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.getArgByIndex<GuardedRequest>(0);
    try {
      const credential = this.getToken(request);
      if (credential === undefined) {
        throw this.missingCredential();
      }
      const principal = this.usesCachedPath() ? this.authenticateCached!(credential, request) : undefined;
      if (principal === undefined) {
        return this.activate(credential, request, context);
      }
      const pending = this.authorize(principal, context);
      if (pending) {
        return this.admitAfter(pending, principal, request, context);
      }
      request[this.principalProperty] = principal;
      return true;
    } catch (err) {
      // Refusals leave as a rejected promise, as from any async guard (hosts may await canActivate).
      return Promise.reject(this.withRetryAfter(err, context));
    }
  }

  private async activate(
    credential: C,
    request: GuardedRequest,
    context: ExecutionContext,
  ): Promise<boolean> {
    try {
      const principal = await this.authenticate(credential, request);
      await this.authorize(principal, context);
      request[this.principalProperty] = principal;
      return true;
    } catch (err) {
      throw this.withRetryAfter(err, context);
    }
  }

  private async admitAfter(
    pending: Promise<void>,
    principal: P,
    request: GuardedRequest,
    context: ExecutionContext,
  ): Promise<boolean> {
    try {
      await pending;
      request[this.principalProperty] = principal;
      return true;
    } catch (err) {
      throw this.withRetryAfter(err, context);
    }
  }

  /**
   * A 429 or 503 tells the client when to come back, whichever route it was refused on. On a host's own
   * routes Nest's default handler answers any non-HTTP error 500: a lost database connection while
   * checking the credential becomes a 503 with Retry-After there too.
   */
  private withRetryAfter(caught: unknown, context: ExecutionContext): unknown {
    const err = isDatabaseUnavailable(caught)
      ? IdentityError.unavailable(
          'The database is unavailable; the credential could not be checked. Try again shortly.',
          DATABASE_RETRY_AFTER_SECONDS,
        )
      : caught;
    if (err instanceof IdentityError && err.details.retryAfterSeconds !== undefined) {
      setResponseHeader(
        context.getArgByIndex<object>(1),
        'Retry-After',
        String(err.details.retryAfterSeconds),
      );
    }
    return err;
  }

  /** Decided once per guard: see `cachedPathIntact`. */
  private usesCachedPath(): boolean {
    if (this.cachedPath === undefined) {
      this.cachedPath = typeof this.authenticateCached === 'function' && this.cachedPathIntact();
    }
    return this.cachedPath;
  }

  /**
   * Whether `authenticateCached` answers as `authenticate` would: it comes from the class (or object)
   * that defines `authenticate`, so a host's override of `authenticate` is never skipped. A base class
   * whose cached path goes through further hooks of its own checks their pairs too (`TokenGuard`).
   */
  protected cachedPathIntact(): boolean {
    return sameDefiner(this, 'authenticate', 'authenticateCached');
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

/** True when `a` and `b` are defined by the same object in `object`'s prototype chain (itself included). */
export function sameDefiner(object: object, a: string, b: string): boolean {
  return definerOf(object, a) === definerOf(object, b);
}

/** The object in `object`'s chain, starting with itself (an instance field), that defines `name`. */
function definerOf(object: object, name: string): object | null {
  let proto: object | null = object;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, name)) {
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return proto;
}
