import { describe, expect, it, jest } from '@jest/globals';
import { type ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  FakeExpressResponse,
  FakeFastifyReply,
  FakeServerResponse,
  fakeRequest,
  httpContext,
  plainRoute,
  routeOf,
} from '../../../testing/http-fakes.js';
import { QueryFailedError } from 'typeorm';
import { IdentityError, IdentityErrorCode, IdentityErrorReason } from '../errors/identity-error.js';
import { CredentialGuard } from './credential-guard.js';
import { type CredentialRequest, headerValue } from './credential-request.js';

interface Principal {
  id: string;
}

interface Hooks {
  authenticate?(credential: string): Promise<Principal>;
  authorize?(principal: Principal, context: ExecutionContext): void | Promise<void>;
}

/** A guard reading `X-Credential`; it records the order of its hooks and what the request held meanwhile. */
class RecordingGuard extends CredentialGuard<string, Principal> {
  protected readonly principalProperty = 'principal';
  readonly calls: string[] = [];
  readonly missing = IdentityError.unauthenticated('No credential.', IdentityErrorReason.MissingCredential);

  constructor(
    reflector: Reflector,
    private readonly hooks: Hooks = {},
  ) {
    super(reflector);
  }

  protected getToken(request: CredentialRequest): string | undefined {
    this.calls.push('getToken');
    return headerValue(request, 'x-credential');
  }

  protected missingCredential(): IdentityError {
    return this.missing;
  }

  protected authenticate(credential: string): Promise<Principal> {
    this.calls.push('authenticate');
    return this.hooks.authenticate?.(credential) ?? Promise.resolve({ id: credential });
  }

  protected override authorize(principal: Principal, context: ExecutionContext): void | Promise<void> {
    const request = context.switchToHttp().getRequest<Record<string, unknown>>();
    this.calls.push(`authorize(attached=${request.principal !== undefined})`);
    return this.hooks.authorize?.(principal, context);
  }

  /** The protected metadata reader, for the specs. */
  metadata<T>(key: string, context: ExecutionContext): T | undefined {
    return this.routeMetadata<T>(key, context);
  }
}

const withCredential = (credential = 'c-1') => fakeRequest({ headers: { 'X-Credential': credential } });

async function rejectionOf(outcome: Promise<unknown> | boolean): Promise<unknown> {
  return Promise.resolve(outcome).then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

/**
 * A rejected promise that is also handled, so a guard that forgets to await it fails an expectation
 * instead of crashing the run with an unhandled rejection.
 */
function handledRejection(err: unknown): Promise<never> {
  const rejected = Promise.reject(err);
  rejected.catch(() => undefined);
  return rejected;
}

const tooMany = () => IdentityError.tooManyRequests(IdentityErrorReason.RateLimited, 'Slow down.', 7);

describe(CredentialGuard.name, () => {
  describe('the steps of a check', () => {
    it('refuses a request without a credential with the guard’s own error, before authenticating', async () => {
      const guard = new RecordingGuard(new Reflector());
      const err = await rejectionOf(guard.canActivate(httpContext({ request: fakeRequest() })));
      expect(err).toBe(guard.missing);
      expect(guard.calls).toEqual(['getToken']);
    });

    it('lets an authentication failure through unchanged and attaches nothing', async () => {
      const failure = IdentityError.unauthenticated('Invalid.');
      const guard = new RecordingGuard(new Reflector(), { authenticate: () => Promise.reject(failure) });
      const request = withCredential();
      expect(await rejectionOf(guard.canActivate(httpContext({ request })))).toBe(failure);
      expect(guard.calls).toEqual(['getToken', 'authenticate']);
      expect(request.principal).toBeUndefined();
    });

    it('authorizes after authenticating and attaches the principal only once authorized', async () => {
      const guard = new RecordingGuard(new Reflector());
      const request = withCredential('c-7');
      await expect(guard.canActivate(httpContext({ request }))).resolves.toBe(true);
      expect(guard.calls).toEqual(['getToken', 'authenticate', 'authorize(attached=false)']);
      expect(request.principal).toEqual({ id: 'c-7' });
    });

    it('attaches nothing when authorize refuses, synchronously or asynchronously', async () => {
      const refusal = IdentityError.forbidden(IdentityErrorReason.ReadOnlyKey, 'No.');
      for (const authorize of [
        () => {
          throw refusal;
        },
        () => handledRejection(refusal),
      ]) {
        const guard = new RecordingGuard(new Reflector(), { authorize });
        const request = withCredential();
        expect(await rejectionOf(guard.canActivate(httpContext({ request })))).toBe(refusal);
        expect(request.principal).toBeUndefined();
      }
    });
  });

  describe('Retry-After on a 429', () => {
    const responses = {
      'an Express response (header())': () => new FakeExpressResponse(),
      'a Fastify reply': () => new FakeFastifyReply(),
      'a bare ServerResponse (setHeader())': () => new FakeServerResponse(),
    };

    for (const [name, make] of Object.entries(responses)) {
      it(`sets Retry-After on ${name} when authenticate answers 429`, async () => {
        const response = make();
        const guard = new RecordingGuard(new Reflector(), { authenticate: () => Promise.reject(tooMany()) });
        await expect(guard.canActivate(httpContext({ request: withCredential(), response }))).rejects.toThrow(
          IdentityError,
        );
        expect(response.getHeader('Retry-After')).toBe('7');
      });
    }

    it('sets Retry-After when authorize answers 429 (the per-key limit)', async () => {
      const response = new FakeFastifyReply();
      const guard = new RecordingGuard(new Reflector(), { authorize: () => handledRejection(tooMany()) });
      await expect(guard.canActivate(httpContext({ request: withCredential(), response }))).rejects.toThrow(
        'Slow down.',
      );
      expect(response.getHeader('retry-after')).toBe('7');
    });

    it('sets no Retry-After on a refusal that has no wait', async () => {
      const response = new FakeExpressResponse();
      const guard = new RecordingGuard(new Reflector());
      await expect(guard.canActivate(httpContext({ request: fakeRequest(), response }))).rejects.toThrow();
      expect(response.headers).toEqual({});
    });
  });

  describe('a database that cannot be reached', () => {
    it('answers 503 with Retry-After, not the driver’s error (a 500 on a host’s own route)', async () => {
      const lost = new QueryFailedError(
        'SELECT 1',
        [],
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      );
      const response = new FakeExpressResponse();
      const guard = new RecordingGuard(new Reflector(), { authenticate: () => handledRejection(lost) });
      const err = await rejectionOf(guard.canActivate(httpContext({ request: withCredential(), response })));
      expect(err).toBeInstanceOf(IdentityError);
      expect((err as IdentityError).getStatus()).toBe(503);
      expect((err as IdentityError).code).toBe(IdentityErrorCode.Unavailable);
      expect(Number(response.getHeader('Retry-After'))).toBeGreaterThanOrEqual(1);
    });

    it('lets any other unexpected failure through unchanged', async () => {
      const bug = new TypeError('x is undefined');
      const guard = new RecordingGuard(new Reflector(), { authenticate: () => handledRejection(bug) });
      expect(await rejectionOf(guard.canActivate(httpContext({ request: withCredential() })))).toBe(bug);
    });
  });

  describe('route metadata', () => {
    const KEY = 'spec:level';

    @SetMetadata(KEY, 'class')
    class LeveledController {
      @SetMetadata(KEY, 'method')
      strict(): void {}

      inherits(): void {}
    }

    it('reads a method’s metadata over its class’s', () => {
      const guard = new RecordingGuard(new Reflector());
      expect(guard.metadata(KEY, httpContext({ route: routeOf(LeveledController, 'strict') }))).toBe(
        'method',
      );
      expect(guard.metadata(KEY, httpContext({ route: routeOf(LeveledController, 'inherits') }))).toBe(
        'class',
      );
      expect(guard.metadata(KEY, httpContext({ route: plainRoute() }))).toBeUndefined();
    });

    it('asks the reflector once per route and key, then keeps the answer (absent values too)', async () => {
      const reflector = new Reflector();
      const read = jest.spyOn(reflector, 'getAllAndOverride');
      const guard = new RecordingGuard(reflector, {
        authorize: (_principal, context) => {
          guard.metadata(KEY, context);
          guard.metadata('spec:absent', context);
        },
      });
      const strict = routeOf(LeveledController, 'strict');
      for (let i = 0; i < 3; i++) {
        await guard.canActivate(httpContext({ request: withCredential(), route: strict }));
      }
      expect(read).toHaveBeenCalledTimes(2);
      expect(read).toHaveBeenCalledWith(KEY, [strict.handler, strict.controller]);
      expect(read).toHaveBeenCalledWith('spec:absent', [strict.handler, strict.controller]);

      await guard.canActivate(
        httpContext({ request: withCredential(), route: routeOf(LeveledController, 'inherits') }),
      );
      expect(read).toHaveBeenCalledTimes(4);
    });

    it('keeps one answer per (handler, class): a subclass reusing a handler reads its own', () => {
      class Relabelled extends LeveledController {}
      SetMetadata(KEY, 'subclass')(Relabelled);
      const reflector = new Reflector();
      const read = jest.spyOn(reflector, 'getAllAndOverride');
      const guard = new RecordingGuard(reflector);
      const inherited = { controller: Relabelled, handler: LeveledController.prototype.inherits };
      expect(guard.metadata(KEY, httpContext({ route: routeOf(LeveledController, 'inherits') }))).toBe(
        'class',
      );
      expect(guard.metadata(KEY, httpContext({ route: inherited }))).toBe('subclass');
      expect(guard.metadata(KEY, httpContext({ route: inherited }))).toBe('subclass');
      expect(read).toHaveBeenCalledTimes(2);
    });
  });

  describe('the cached path (authenticateCached)', () => {
    /** Every credential is cached; both hooks are defined here, as the module's guards do. */
    class CachingGuard extends RecordingGuard {
      protected override authenticate(credential: string): Promise<Principal> {
        return super.authenticate(credential);
      }

      protected override authenticateCached(credential: string): Principal {
        this.calls.push('authenticateCached');
        return { id: credential };
      }
    }

    it('answers from authenticateCached when it comes from the class defining authenticate', () => {
      const guard = new CachingGuard(new Reflector());
      expect(guard.canActivate(httpContext({ request: withCredential(), route: plainRoute() }))).toBe(true);
      expect(guard.calls).toContain('authenticateCached');
    });

    it('never skips an authenticate set on the instance (a class field, a spy)', async () => {
      const guard = new CachingGuard(new Reflector());
      const authenticate = jest.fn(() =>
        handledRejection(IdentityError.unauthenticated('Refused by the host.')),
      );
      Object.assign(guard, { authenticate });
      const request = withCredential();
      const err = await rejectionOf(guard.canActivate(httpContext({ request, route: plainRoute() })));
      expect(err).toMatchObject({ code: IdentityErrorCode.Unauthenticated });
      expect(authenticate).toHaveBeenCalledTimes(1);
      expect(guard.calls).not.toContain('authenticateCached');
      expect((request as Record<string, unknown>).principal).toBeUndefined();
    });
  });
});
