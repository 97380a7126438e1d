import { describe, expect, it, jest } from '@jest/globals';
import { Reflector } from '@nestjs/core';
import { type FakeRequest, fakeRequest, httpContext, plainRoute, routeOf } from '../../testing/http-fakes.js';
import { refusal } from '../../testing/refusal.js';
import { IdentityErrorCode, IdentityErrorReason } from '../common/errors/identity-error.js';
import type { CredentialVerdict } from '../common/tokens/credential-verifier.js';
import type { ApiEnvironmentTag } from './user-group.entity.js';
import { RequireEnvironment } from './user-group.decorators.js';
import { readUserGroupToken, UserGroupTokenGuard } from './user-group-token.guard.js';
import type { UserGroupPrincipal, UserGroupsService } from './user-groups.service.js';

const TOKEN = 'ugt_9fQ2mXb7LkA0pZr4TyW8sVc1';
const OTHER = 'ugt_1aB2c3D4e5F6g7H8i9J0kLmN';

class DashboardController {
  @RequireEnvironment('Customer')
  customerOnly(): void {}

  anyEnvironment(): void {}
}

function group(apiEnvironmentTag: ApiEnvironmentTag): UserGroupPrincipal {
  return {
    id: 'group-1',
    workspaceId: 'ws-1',
    providedId: 'example_1',
    name: 'Example 1',
    apiEnvironmentTag,
    properties: null,
    tokenId: 'token-1',
  };
}

/** The guard over a fake service whose every token is valid for a group of `environment`. */
function build(environment: ApiEnvironmentTag = 'Customer') {
  const verifyToken = jest.fn<UserGroupsService['verifyToken']>(
    async (): Promise<CredentialVerdict<UserGroupPrincipal>> => ({
      valid: true,
      principal: group(environment),
    }),
  );
  // Not cached: every check takes verifyToken (the cached path has its own specs below).
  const cachedToken = jest.fn<UserGroupsService['cachedToken']>(() => undefined);
  const guard = new UserGroupTokenGuard(new Reflector(), { verifyToken, cachedToken } as Pick<
    UserGroupsService,
    'verifyToken' | 'cachedToken'
  > as UserGroupsService);
  return { guard, verifyToken, cachedToken };
}

const check = (guard: UserGroupTokenGuard, request: FakeRequest, route = plainRoute()) =>
  guard.canActivate(httpContext({ request, route }));

describe(UserGroupTokenGuard.name, () => {
  describe('where the token is read', () => {
    it.each(['Token', 'Bearer', 'token', 'BEARER'])('reads "Authorization: %s <token>"', async (scheme) => {
      const { guard, verifyToken } = build();
      await check(
        guard,
        fakeRequest({ headers: { Authorization: `${scheme} ${TOKEN}` }, ip: '198.51.100.4' }),
      );
      expect(verifyToken).toHaveBeenCalledWith(TOKEN, { client: 'ip:198.51.100.4' });
    });

    it('falls back to ?token= for embeds that cannot send headers', async () => {
      const { guard, verifyToken } = build();
      await check(guard, fakeRequest({ query: { token: TOKEN } }));
      expect(verifyToken).toHaveBeenCalledWith(TOKEN, expect.anything());
    });

    it('prefers the Authorization header over ?token=', async () => {
      const { guard, verifyToken } = build();
      await check(
        guard,
        fakeRequest({ headers: { Authorization: `Token ${TOKEN}` }, query: { token: OTHER } }),
      );
      expect(verifyToken).toHaveBeenCalledTimes(1);
      expect(verifyToken).toHaveBeenCalledWith(TOKEN, expect.anything());
    });

    it('does not take a bare token from Authorization (401 MissingCredential, nothing looked up)', async () => {
      const { guard, verifyToken } = build();
      const err = await refusal(check(guard, fakeRequest({ headers: { Authorization: TOKEN } })));
      expect(err.getStatus()).toBe(401);
      expect(err.reason).toBe(IdentityErrorReason.MissingCredential);
      expect(verifyToken).not.toHaveBeenCalled();
    });

    it('refuses a request without a token with 401 MissingCredential', async () => {
      const { guard, verifyToken } = build();
      for (const request of [fakeRequest(), fakeRequest({ query: { token: '' } })]) {
        const err = await refusal(check(guard, request));
        expect(err.getStatus()).toBe(401);
        expect(err.reason).toBe(IdentityErrorReason.MissingCredential);
      }
      expect(verifyToken).not.toHaveBeenCalled();
    });

    it('reads nothing from a repeated ?token= (an array is not a token)', () => {
      expect(readUserGroupToken(fakeRequest({ query: { token: [TOKEN, OTHER] } }))).toBeUndefined();
    });
  });

  describe('verdict', () => {
    it('attaches the group as request.userGroup', async () => {
      const { guard } = build();
      const request = fakeRequest({ headers: { Authorization: `Token ${TOKEN}` } });
      await expect(check(guard, request)).resolves.toBe(true);
      expect(request.userGroup).toEqual(group('Customer'));
    });

    it.each(['malformed', 'unknown', 'expired', 'refused'] as const)(
      'refuses a %s token with 401 and attaches nothing',
      async (failure) => {
        const { guard, verifyToken } = build();
        verifyToken.mockResolvedValueOnce({ valid: false, failure });
        const request = fakeRequest({ headers: { Authorization: `Token ${TOKEN}` } });
        const err = await refusal(check(guard, request));
        expect(err.getStatus()).toBe(401);
        expect(err.reason).toBe(IdentityErrorReason.InvalidCredential);
        expect(request.userGroup).toBeUndefined();
      },
    );
  });

  describe('@RequireEnvironment', () => {
    it('refuses a Testing group on a Customer route with 403 WrongEnvironment', async () => {
      const { guard } = build('Testing');
      const request = fakeRequest({ headers: { Authorization: `Token ${TOKEN}` } });
      const err = await refusal(check(guard, request, routeOf(DashboardController, 'customerOnly')));
      expect(err.getStatus()).toBe(403);
      expect(err.reason).toBe(IdentityErrorReason.WrongEnvironment);
      expect(request.userGroup).toBeUndefined();
    });

    it('admits a group of the required environment', async () => {
      const { guard } = build('Customer');
      const request = fakeRequest({ headers: { Authorization: `Token ${TOKEN}` } });
      await expect(check(guard, request, routeOf(DashboardController, 'customerOnly'))).resolves.toBe(true);
    });

    it('admits either environment on a route without it', async () => {
      for (const environment of ['Customer', 'Testing'] as const) {
        const { guard } = build(environment);
        const request = fakeRequest({ headers: { Authorization: `Token ${TOKEN}` } });
        await expect(check(guard, request, routeOf(DashboardController, 'anyEnvironment'))).resolves.toBe(
          true,
        );
      }
    });
  });

  describe('a cached token (the hot path)', () => {
    it('admits synchronously without verifyToken, and still applies @RequireEnvironment', async () => {
      const { guard, verifyToken, cachedToken } = build('Testing');
      cachedToken.mockImplementation(() => ({ valid: true, principal: group('Testing') }));
      const request = fakeRequest({ headers: { Authorization: `Token ${TOKEN}` } });
      expect(guard.canActivate(httpContext({ request, route: plainRoute() }))).toBe(true);
      expect(verifyToken).not.toHaveBeenCalled();
      await expect(
        check(
          guard,
          fakeRequest({ headers: { Authorization: `Token ${TOKEN}` } }),
          routeOf(DashboardController, 'customerOnly'),
        ),
      ).rejects.toMatchObject({
        reason: IdentityErrorReason.WrongEnvironment,
      });
    });

    it('refuses a cached refusal (a rotated token past its grace) with 401, without a lookup', async () => {
      const { guard, verifyToken, cachedToken } = build();
      cachedToken.mockImplementation(() => ({ valid: false, failure: 'expired' }));
      await expect(
        check(guard, fakeRequest({ headers: { Authorization: `Token ${TOKEN}` } })),
      ).rejects.toMatchObject({
        code: IdentityErrorCode.Unauthenticated,
      });
      expect(verifyToken).not.toHaveBeenCalled();
    });
  });
});
