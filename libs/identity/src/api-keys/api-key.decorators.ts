import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiSecurity } from '../common/peers/swagger.js';
import type { ApiKeyScope } from './api-key.entity.js';
import type { ApiKeyPrincipal } from './api-keys.service.js';
import { REQUIRE_SCOPE_KEY, SKIP_RATE_LIMIT_KEY } from '../identity.constants.js';
import type { AuditActor } from '../audit/audit.service.js';
import type { Caller } from '../audit/caller.js';
import { ApiKeyGuard, type IdentityRequest } from './api-key.guard.js';
import { requestPrincipal } from '../common/http/request-principal.js';
import { REGPACK_KEY_SECURITY } from '../common/http/openapi.js';

/** Requires a key of this scope; without it, GET/HEAD need `read` and everything else `write`. */
export const RequireScope = (scope: ApiKeyScope) => SetMetadata(REQUIRE_SCOPE_KEY, scope);

/** Leaves a route out of the per-key rate limit. */
export const SkipRateLimit = () => SetMetadata(SKIP_RATE_LIMIT_KEY, true);

/** Protects a route or controller with a workspace API key: `ApiKeyGuard` plus its Swagger security (either header style). */
export const ApiKeyAuth = (scope?: ApiKeyScope) =>
  applyDecorators(
    UseGuards(ApiKeyGuard),
    ApiSecurity('api-key'),
    ApiSecurity(REGPACK_KEY_SECURITY), // or Regpack's header set
    ...(scope ? [SetMetadata(REQUIRE_SCOPE_KEY, scope)] : []),
  );

function principalOf(context: ExecutionContext): ApiKeyPrincipal {
  return requestPrincipal<ApiKeyPrincipal>(
    context,
    'identity' satisfies keyof IdentityRequest,
    '@ApiKeyAuth()',
  );
}

/** The id of the workspace whose API key authorised the request. */
export const CurrentWorkspace = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => principalOf(context).workspaceId,
);

/** The whole API key principal: workspace, key id, scope and Regpack's Api-user. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ApiKeyPrincipal => principalOf(context),
);

/** The audit actor of an API-key request. */
export const CurrentActor = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuditActor => callerOf(principalOf(context)).actor,
);

/** The caller of a service method (workspace, audit actor, scope) behind an API-key request. */
export const CurrentCaller = createParamDecorator((_data: unknown, context: ExecutionContext): Caller =>
  callerOf(principalOf(context)),
);

/** The service caller of an API-key principal. */
export function callerOf(principal: ApiKeyPrincipal): Caller {
  return {
    workspaceId: principal.workspaceId,
    actor: { type: 'api_key', id: principal.apiKeyId, apiUser: principal.apiUser ?? null },
    scope: principal.scope,
  };
}
