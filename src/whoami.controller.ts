import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ApiKeyAuth,
  type ApiKeyPrincipal,
  CurrentPrincipal,
  CurrentUserGroup,
  RequireScope,
  SkipRateLimit,
  UserGroupAuth,
  type UserGroupPrincipal,
} from '../libs/identity/src/index.js';

/** A host route protected by the module's ApiKeyGuard: how a host uses the guard for its own endpoints. */
@ApiTags('demo host')
@Controller('whoami')
@ApiKeyAuth()
export class WhoamiController {
  @Get()
  whoami(@CurrentPrincipal() principal: ApiKeyPrincipal) {
    return { workspaceId: principal.workspaceId, apiKeyId: principal.apiKeyId, scope: principal.scope };
  }

  /** A write route: read-scoped keys get 403. */
  @Post('ping')
  @HttpCode(200)
  ping(@CurrentPrincipal() principal: ApiKeyPrincipal) {
    return { pong: true, workspaceId: principal.workspaceId };
  }

  /** A GET that still needs a read-write key (it shows something sensitive): `@RequireScope('write')`. */
  @Get('write-scope')
  @RequireScope('write')
  writeScope(@CurrentPrincipal() principal: ApiKeyPrincipal) {
    return { workspaceId: principal.workspaceId, scope: principal.scope };
  }

  /** A route left out of the per-key rate limit (e.g. a status poll): `@SkipRateLimit()`. */
  @Get('unlimited')
  @SkipRateLimit()
  unlimited(@CurrentPrincipal() principal: ApiKeyPrincipal) {
    return { workspaceId: principal.workspaceId };
  }
}

/** A host route protected by an embed token: what a dashboard backend does with `@UserGroupAuth()`. */
@ApiTags('demo host')
@Controller('whoami/user-group')
export class WhoamiUserGroupController {
  @Get()
  @UserGroupAuth()
  userGroup(@CurrentUserGroup() group: UserGroupPrincipal) {
    return {
      id: group.id,
      providedId: group.providedId,
      name: group.name,
      apiEnvironmentTag: group.apiEnvironmentTag,
    };
  }

  @Get('customer-only')
  @UserGroupAuth('Customer')
  customerOnly(@CurrentUserGroup() group: UserGroupPrincipal) {
    return { providedId: group.providedId };
  }
}
