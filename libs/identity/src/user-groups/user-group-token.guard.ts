import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { REQUIRE_ENVIRONMENT_KEY } from '../identity.constants.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { CredentialGuard } from '../common/http/credential-guard.js';
import {
  clientOf,
  type CredentialRequest,
  readAuthorization,
  readQueryCredential,
} from '../common/http/credential-request.js';
import type { CredentialVerdict } from '../common/tokens/credential-verifier.js';
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

function admitted(verdict: CredentialVerdict<UserGroupPrincipal>): UserGroupPrincipal {
  if (!verdict.valid) {
    throw IdentityError.unauthenticated('User group token is invalid, rotated or revoked.');
  }
  return verdict.principal;
}

/**
 * Admits requests carrying a valid user-group embed token and exposes the group as
 * `@CurrentUserGroup()`. `@RequireEnvironment('Customer')` refuses tokens of the other environment (403).
 * Override `getToken` to read the token from elsewhere (a cookie), or `authorize` to add rules.
 */
@Injectable()
export class UserGroupTokenGuard extends CredentialGuard<string, UserGroupPrincipal> {
  protected readonly principalProperty = 'userGroup';

  constructor(
    reflector: Reflector,
    protected readonly userGroups: UserGroupsService,
  ) {
    super(reflector);
  }

  protected getToken(request: CredentialRequest): string | undefined {
    return readUserGroupToken(request);
  }

  protected missingCredential(): IdentityError {
    return IdentityError.unauthenticated(
      'Missing user group token: send "Authorization: Token <token>" or ?token=.',
      IdentityErrorReason.MissingCredential,
    );
  }

  protected async authenticate(token: string, request: CredentialRequest): Promise<UserGroupPrincipal> {
    return admitted(await this.userGroups.verifyToken(token, { client: clientOf(request) }));
  }

  protected override authenticateCached(token: string): UserGroupPrincipal | undefined {
    const verdict = this.userGroups.cachedToken(token);
    return verdict && admitted(verdict);
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
