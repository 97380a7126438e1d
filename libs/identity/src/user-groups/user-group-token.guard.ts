import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { REQUIRE_ENVIRONMENT_KEY } from '../identity.constants.js';
import { IdentityError } from '../common/errors/identity-error.js';
import type { ApiEnvironmentTag } from './user-group.entity.js';
import { type UserGroupPrincipal, UserGroupsService } from './user-groups.service.js';

/** A request admitted by `UserGroupTokenGuard`. */
export interface UserGroupRequest extends Request {
  userGroup?: UserGroupPrincipal;
}

/** Reads an embed token from `Authorization: Token ugt_…` (or `Bearer`), else from `?token=` for iframes. */
export function readUserGroupToken(request: Request): string | undefined {
  const match = /^(?:Token|Bearer)\s+(\S+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (match) {
    return match[1];
  }
  const fromQuery = request.query?.token;
  return typeof fromQuery === 'string' && fromQuery.length > 0 ? fromQuery : undefined;
}

/**
 * Admits requests carrying a valid user-group embed token and exposes the group as
 * `@CurrentUserGroup()`. `@RequireEnvironment('Customer')` refuses tokens of the other environment (403).
 */
@Injectable()
export class UserGroupTokenGuard implements CanActivate {
  constructor(
    private readonly userGroups: UserGroupsService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<UserGroupRequest>();
    const token = readUserGroupToken(request);
    if (!token) {
      throw IdentityError.unauthenticated(
        'Missing user group token: send "Authorization: Token <token>" or ?token=.',
      );
    }
    const group = await this.userGroups.findByToken(token);
    if (!group) {
      throw IdentityError.unauthenticated('User group token is invalid, rotated or revoked.');
    }
    const required = this.reflector.getAllAndOverride<ApiEnvironmentTag | undefined>(
      REQUIRE_ENVIRONMENT_KEY,
      [context.getHandler(), context.getClass()],
    );
    if (required && group.apiEnvironmentTag !== required) {
      throw IdentityError.forbidden(
        `This route needs a ${required} user group; this token is for ${group.apiEnvironmentTag}.`,
      );
    }
    request.userGroup = group;
    return true;
  }
}
