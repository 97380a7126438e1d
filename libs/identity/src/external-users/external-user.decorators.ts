import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiSecurity } from '../common/peers/swagger.js';
import { CONSUMES_QUOTA_KEY, REQUIRE_TIER_KEY } from '../identity.constants.js';
import { requestPrincipal } from '../common/http/request-principal.js';
import type { QuotaName, QuotaUsage } from './external-user-quotas.service.js';
import type { ExternalUserPrincipal } from './external-user-tokens.service.js';
import { ExternalUserGuard, type ExternalUserRequest } from './external-user.guard.js';

/** Admits only external users whose effective tier has one of these names (or ids); others get 403. */
export const RequireTier = (...tiers: string[]) => SetMetadata(REQUIRE_TIER_KEY, tiers);

/**
 * Spends one unit of the quota per request (per user and period, atomically in the database); when
 * the effective tier's limit is used up the request gets 429 with the quota's name and reset time.
 */
export const ConsumesQuota = (quota: QuotaName) => SetMetadata(CONSUMES_QUOTA_KEY, quota);

/** Protects a host route with an external-user access token (`Authorization: Bearer eut_…`). */
export const ExternalUserAuth = () =>
  applyDecorators(UseGuards(ExternalUserGuard), ApiSecurity('external-user-token'));

/** The external user whose access token authorised the request, with its effective tier. */
export const CurrentExternalUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ExternalUserPrincipal =>
    requestPrincipal<ExternalUserPrincipal>(
      context,
      'externalUser' satisfies keyof ExternalUserRequest,
      '@ExternalUserAuth()',
    ),
);

/** What `@ConsumesQuota()` spent on this request: used, limit, remaining and the reset time. */
export const CurrentQuotaUsage = createParamDecorator(
  (_data: unknown, context: ExecutionContext): QuotaUsage =>
    requestPrincipal<QuotaUsage>(
      context,
      'externalUserQuota' satisfies keyof ExternalUserRequest,
      '@ExternalUserAuth() and @ConsumesQuota()',
    ),
);
