import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiSecurity } from '../common/peers/swagger.js';
import { REQUIRE_ENVIRONMENT_KEY } from '../identity.constants.js';
import { requestPrincipal } from '../common/http/request-principal.js';
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
  (_data: unknown, context: ExecutionContext): UserGroupPrincipal =>
    requestPrincipal<UserGroupPrincipal>(
      context,
      'userGroup' satisfies keyof UserGroupRequest,
      '@UserGroupAuth()',
    ),
);
