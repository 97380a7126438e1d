import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { REQUIRE_ENVIRONMENT_KEY } from '../identity.constants.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { TokenGuard } from '../common/http/token-guard.js';
import {
  type CredentialRequest,
  readAuthorization,
  readQueryCredential,
} from '../common/http/credential-request.js';
import type { CredentialVerdict, VerifyOptions } from '../common/tokens/credential-verifier.js';
import type { ApiEnvironmentTag } from './user-group.entity.js';
import { type UserGroupPrincipal, UserGroupsService } from './user-groups.service.js';

/** A request admitted by `UserGroupTokenGuard`. */
export interface UserGroupRequest extends CredentialRequest {
  userGroup?: UserGroupPrincipal;
}

/** Reads an embed token from `Authorization: Token ugt_…` (or `Bearer`), else from `?token=` for iframes. */
export function readUserGroupToken(request: CredentialRequest): string | undefined {
  return readAuthorization(request) ?? readQueryCredential(request, 'token');
}

/**
 * Admits requests carrying a valid user-group embed token and exposes the group as
 * `@CurrentUserGroup()`. `@RequireEnvironment('Customer')` refuses tokens of the other environment (403).
 * Override `getToken` to read the token from elsewhere (a cookie), or `authorize` to add rules.
 */
@Injectable()
export class UserGroupTokenGuard extends TokenGuard<UserGroupPrincipal> {
  protected readonly principalProperty = 'userGroup';

  constructor(
    reflector: Reflector,
    protected readonly userGroups: UserGroupsService,
  ) {
    super(reflector);
  }

  protected override getToken(request: CredentialRequest): string | undefined {
    return readUserGroupToken(request);
  }

  protected missingCredential(): IdentityError {
    return IdentityError.unauthenticated(
      'Missing user group token: send "Authorization: Token <token>" or ?token=.',
      IdentityErrorReason.MissingCredential,
    );
  }

  protected verify(token: string, options: VerifyOptions): Promise<CredentialVerdict<UserGroupPrincipal>> {
    return this.userGroups.verifyToken(token, options);
  }

  protected cached(token: string): CredentialVerdict<UserGroupPrincipal> | undefined {
    return this.userGroups.cachedToken(token);
  }

  protected admit(verdict: CredentialVerdict<UserGroupPrincipal>): UserGroupPrincipal {
    if (!verdict.valid) {
      throw IdentityError.unauthenticated('User group token is invalid, rotated or revoked.');
    }
    return verdict.principal;
  }

  protected override authorize(group: UserGroupPrincipal, context: ExecutionContext): void {
    const required = this.routeMetadata<ApiEnvironmentTag>(REQUIRE_ENVIRONMENT_KEY, context);
    if (required && group.apiEnvironmentTag !== required) {
      throw IdentityError.forbidden(
        IdentityErrorReason.WrongEnvironment,
        `This route needs a ${required} user group; this token is for ${group.apiEnvironmentTag}.`,
      );
    }
  }
}
