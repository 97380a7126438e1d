import { describe, expect, it, jest } from '@jest/globals';
import { Controller, Get, Post } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  FakeExpressResponse,
  type FakeRequest,
  fakeRequest,
  httpContext,
  plainRoute,
  routeOf,
} from '../../testing/http-fakes.js';
import { refusal } from '../../testing/refusal.js';
import { IdentityError, IdentityErrorCode, IdentityErrorReason } from '../common/errors/identity-error.js';
import type { RateLimiter } from '../common/rate-limit/rate-limiter.js';
import { RequireScope, SkipRateLimit } from './api-key.decorators.js';
import type { ApiKeyScope } from './api-key.entity.js';
import { ApiKeyGuard } from './api-key.guard.js';
import type { ApiKeyPrincipal, ApiKeysService } from './api-keys.service.js';

const KEY = 'idk_3kTMd9Qx7ZbLw2YfPq0aAbCdEf';

@Controller()
class HostController {
  @Get()
  list(): void {}

  @Post()
  create(): void {}

  @Get('export')
  @RequireScope('write')
  exportAll(): void {}

  @Post('search')
  @RequireScope('read')
  search(): void {}

  @Get('health')
  @SkipRateLimit()
  health(): void {}
}

@RequireScope('write')
@SkipRateLimit()
class WriteOnlyUnlimitedController {
  read(): void {}

  @RequireScope('read')
  relaxed(): void {}
}

/** The guard over a fake key store (every key valid, of `scope`) and a fake limiter that counts. */
function build(scope: ApiKeyScope = 'write') {
  const authenticate = jest.fn<ApiKeysService['authenticate']>(async (): Promise<ApiKeyPrincipal> => ({
    workspaceId: 'ws-1',
    apiKeyId: 'key-1',
    scope,
  }));
  const consume = jest.fn<RateLimiter['consumeNow']>(async () => undefined);
  // Not cached: every check takes `authenticate` (the cached path has its own specs below).
  const authenticateCached = jest.fn<ApiKeysService['authenticateCached']>(() => undefined);
  const guard = new ApiKeyGuard(
    new Reflector(),
    { authenticate, authenticateCached } as Pick<
      ApiKeysService,
      'authenticate' | 'authenticateCached'
    > as ApiKeysService,
    { consumeNow: consume } as Pick<RateLimiter, 'consumeNow'> as RateLimiter,
  );
  return { guard, authenticate, authenticateCached, consume };
}

const keyed = (method: string, headers: Record<string, string> = { Authorization: `Token ${KEY}` }) =>
  fakeRequest({ method, headers, ip: '203.0.113.9' });

async function check(
  guard: ApiKeyGuard,
  request: FakeRequest,
  route = plainRoute(),
  response: object = new FakeExpressResponse(),
) {
  return guard.canActivate(httpContext({ request, response, route }));
}

describe(ApiKeyGuard.name, () => {
  describe('scope', () => {
    it.each(['GET', 'HEAD', 'OPTIONS'])('lets a read key %s', async (method) => {
      const { guard } = build('read');
      await expect(check(guard, keyed(method))).resolves.toBe(true);
    });

    it.each(['POST', 'PUT', 'PATCH', 'DELETE'])(
      'refuses a read key on %s with 403 ReadOnlyKey',
      async (method) => {
        const { guard, consume } = build('read');
        const err = await refusal(check(guard, keyed(method)));
        expect(err.getStatus()).toBe(403);
        expect(err.reason).toBe(IdentityErrorReason.ReadOnlyKey);
        expect(consume).not.toHaveBeenCalled();
      },
    );

    it.each(['GET', 'POST', 'DELETE'])('lets a write key %s', async (method) => {
      const { guard } = build('write');
      await expect(check(guard, keyed(method))).resolves.toBe(true);
    });

    it('reads a request without a method as a GET', async () => {
      const { guard } = build('read');
      const request = keyed('GET');
      delete (request as { method?: string }).method;
      await expect(check(guard, request)).resolves.toBe(true);
    });

    it('refuses a read key on a GET marked @RequireScope("write") with 403 ReadOnlyKey', async () => {
      const { guard } = build('read');
      const err = await refusal(check(guard, keyed('GET'), routeOf(HostController, 'exportAll')));
      expect(err.getStatus()).toBe(403);
      expect(err.reason).toBe(IdentityErrorReason.ReadOnlyKey);
    });

    it('lets a read key POST to a route marked @RequireScope("read") (the route says it only reads)', async () => {
      const { guard } = build('read');
      await expect(check(guard, keyed('POST'), routeOf(HostController, 'search'))).resolves.toBe(true);
    });

    it('takes the scope from the class, and a method’s own scope over it', async () => {
      const { guard } = build('read');
      const err = await refusal(check(guard, keyed('GET'), routeOf(WriteOnlyUnlimitedController, 'read')));
      expect(err.reason).toBe(IdentityErrorReason.ReadOnlyKey);
      await expect(
        check(guard, keyed('POST'), routeOf(WriteOnlyUnlimitedController, 'relaxed')),
      ).resolves.toBe(true);
    });

    it('attaches the principal as request.identity', async () => {
      const { guard } = build('write');
      const request = keyed('POST');
      await check(guard, request);
      expect(request.identity).toEqual({ workspaceId: 'ws-1', apiKeyId: 'key-1', scope: 'write' });
    });
  });

  describe('rate limit', () => {
    it('counts each admitted request against its key', async () => {
      const { guard, consume } = build();
      await check(guard, keyed('GET'));
      await check(guard, keyed('POST'));
      expect(consume.mock.calls).toEqual([['api-key:key-1'], ['api-key:key-1']]);
    });

    it('skips the limiter on a route marked @SkipRateLimit(), on the method or its class', async () => {
      const { guard, consume } = build();
      await check(guard, keyed('GET'), routeOf(HostController, 'health'));
      await check(guard, keyed('GET'), routeOf(WriteOnlyUnlimitedController, 'read'));
      expect(consume).not.toHaveBeenCalled();
      await check(guard, keyed('GET'), routeOf(HostController, 'list'));
      expect(consume).toHaveBeenCalledTimes(1);
    });

    it('refuses with the limiter’s 429, attaches nothing, and sets Retry-After', async () => {
      const { guard, consume } = build();
      consume.mockRejectedValueOnce(
        IdentityError.tooManyRequests(IdentityErrorReason.RateLimited, 'Rate limit exceeded.', 1),
      );
      const request = keyed('GET');
      const response = new FakeExpressResponse();
      const err = await refusal(check(guard, request, plainRoute(), response));
      expect(err.getStatus()).toBe(429);
      expect(response.getHeader('Retry-After')).toBe('1');
      expect(request.identity).toBeUndefined();
    });
  });

  describe('credentials', () => {
    it.each([
      ['Token', `Token ${KEY}`],
      ['Bearer', `Bearer ${KEY}`],
      ['bare', KEY],
    ])('reads the key from Authorization (%s) and names the client', async (_style, authorization) => {
      const { guard, authenticate } = build();
      await check(guard, keyed('GET', { Authorization: authorization }));
      expect(authenticate).toHaveBeenCalledWith(KEY, {
        apiId: undefined,
        apiUser: undefined,
        client: 'ip:203.0.113.9',
      });
    });

    it('reads Regpack’s Api-id / Api-token / Api-user / Timestamp headers', async () => {
      const { guard, authenticate } = build();
      const timestamp = String(Math.floor(Date.now() / 1000));
      await check(
        guard,
        keyed('POST', { 'Api-Id': 'AbCd1234', 'Api-Token': KEY, 'Api-User': 'jane', Timestamp: timestamp }),
      );
      expect(authenticate).toHaveBeenCalledWith(KEY, {
        apiId: 'AbCd1234',
        apiUser: 'jane',
        client: 'ip:203.0.113.9',
      });
    });

    it('refuses an incomplete Regpack set with 401 before looking the key up', async () => {
      const { guard, authenticate } = build();
      const err = await refusal(check(guard, keyed('GET', { 'Api-Token': KEY })));
      expect(err.code).toBe(IdentityErrorCode.Unauthenticated);
      expect(authenticate).not.toHaveBeenCalled();
    });

    it('refuses a request without any key with 401 MissingCredential', async () => {
      const { guard, authenticate, consume } = build();
      const err = await refusal(check(guard, keyed('GET', {})));
      expect(err.getStatus()).toBe(401);
      expect(err.reason).toBe(IdentityErrorReason.MissingCredential);
      expect(authenticate).not.toHaveBeenCalled();
      expect(consume).not.toHaveBeenCalled();
    });

    it('lets the key store’s refusal through (revoked key → 401 RevokedCredential)', async () => {
      const { guard, authenticate, consume } = build();
      authenticate.mockRejectedValueOnce(
        IdentityError.unauthenticated(
          'This API key has been revoked.',
          IdentityErrorReason.RevokedCredential,
        ),
      );
      const err = await refusal(check(guard, keyed('GET')));
      expect(err.reason).toBe(IdentityErrorReason.RevokedCredential);
      expect(consume).not.toHaveBeenCalled();
    });
  });

  describe('a cached key (the hot path)', () => {
    const cachedBuild = (scope: ApiKeyScope = 'write') => {
      const built = build(scope);
      built.authenticateCached.mockImplementation(() => ({ workspaceId: 'ws-1', apiKeyId: 'key-1', scope }));
      built.consume.mockImplementation(() => undefined);
      return built;
    };

    it('admits synchronously: true, not a promise, without authenticate', () => {
      const { guard, authenticate, consume } = cachedBuild();
      const request = keyed('GET');
      const result = guard.canActivate(
        httpContext({ request, response: new FakeExpressResponse(), route: plainRoute() }),
      );
      expect(result).toBe(true);
      expect(authenticate).not.toHaveBeenCalled();
      expect(consume).toHaveBeenCalledWith('api-key:key-1');
      expect((request as FakeRequest & { identity?: unknown }).identity).toMatchObject({ apiKeyId: 'key-1' });
    });

    it('still enforces scope and the limiter on a cached key', async () => {
      const { guard, consume } = cachedBuild('read');
      await expect(check(guard, keyed('POST'))).rejects.toMatchObject({
        reason: IdentityErrorReason.ReadOnlyKey,
      });
      consume.mockImplementation(() => {
        throw IdentityError.tooManyRequests(IdentityErrorReason.RateLimited, 'slow down', 1);
      });
      const response = new FakeExpressResponse();
      await expect(check(guard, keyed('GET'), plainRoute(), response)).rejects.toMatchObject({
        code: IdentityErrorCode.RateLimited,
      });
      expect(response.headers['retry-after']).toBe('1');
    });

    it('passes a cached refusal on (a revoked key is a 401 from the cache too)', async () => {
      const { guard, authenticateCached, authenticate } = build();
      authenticateCached.mockImplementation(() => {
        throw IdentityError.unauthenticated(
          'This API key has been revoked.',
          IdentityErrorReason.RevokedCredential,
        );
      });
      await expect(check(guard, keyed('GET'))).rejects.toMatchObject({
        reason: IdentityErrorReason.RevokedCredential,
      });
      expect(authenticate).not.toHaveBeenCalled();
    });

    it('never bypasses a subclass that overrides authenticate', async () => {
      const { authenticateCached } = cachedBuild();
      const seen: string[] = [];
      class AuditingGuard extends ApiKeyGuard {
        protected override async authenticate(...args: Parameters<ApiKeyGuard['authenticate']>) {
          seen.push(args[0].secret);
          return super.authenticate(...args);
        }
      }
      const { guard: base, consume } = cachedBuild();
      const guard = new AuditingGuard(
        new Reflector(),
        (base as unknown as { apiKeys: ApiKeysService }).apiKeys,
        {
          consumeNow: consume,
        } as Pick<RateLimiter, 'consumeNow'> as RateLimiter,
      );
      await expect(check(guard, keyed('GET'))).resolves.toBe(true);
      expect(seen).toEqual([KEY]);
      expect(authenticateCached).not.toHaveBeenCalled();
    });
  });
});
