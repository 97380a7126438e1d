import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { REQUIRE_ENVIRONMENT_KEY } from '../identity.constants.js';
import { IdentityError, IdentityErrorCode } from '../common/errors/identity-error.js';
import type { ApiEnvironmentTag } from './user-group.entity.js';
import { type UserGroupRequest, UserGroupTokenGuard } from './user-group-token.guard.js';
import type { UserGroupPrincipal } from './user-groups.service.js';

/** Refuses user groups of another environment (403). */
export const RequireEnvironment = (environment: ApiEnvironmentTag) =>
  SetMetadata(REQUIRE_ENVIRONMENT_KEY, environment);

/** Protects a host route with a user-group embed token; optionally only for one environment. */
export const UserGroupAuth = (environment?: ApiEnvironmentTag) =>
  applyDecorators(
    UseGuards(UserGroupTokenGuard),
    ApiSecurity('user-group-token'),
    ...(environment ? [RequireEnvironment(environment)] : []),
  );

/** The user group whose embed token authorised the request. */
export const CurrentUserGroup = createParamDecorator(
  (_data: unknown, context: ExecutionContext): UserGroupPrincipal => {
    const group = context.switchToHttp().getRequest<UserGroupRequest>().userGroup;
    if (!group) {
      throw new IdentityError(
        IdentityErrorCode.Internal,
        'No user group on this request; protect the route with @UserGroupAuth().',
      );
    }
    return group;
  },
);
