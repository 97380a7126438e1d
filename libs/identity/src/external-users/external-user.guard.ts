import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CONSUMES_QUOTA_KEY, REQUIRE_TIER_KEY } from '../identity.constants.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { TokenGuard } from '../common/http/token-guard.js';
import type { CredentialRequest } from '../common/http/credential-request.js';
import type { CredentialVerdict, VerifyOptions } from '../common/tokens/credential-verifier.js';
import {
  ExternalUserQuotasService,
  type QuotaName,
  type QuotaUsage,
} from './external-user-quotas.service.js';
import {
  BLOCKED_REFUSAL,
  type ExternalUserPrincipal,
  ExternalUserTokensService,
} from './external-user-tokens.service.js';
import { MESSAGES } from './external-users.rules.js';

/** A request admitted by `ExternalUserGuard`. */
export interface ExternalUserRequest extends CredentialRequest {
  externalUser?: ExternalUserPrincipal;
  /** The quota spent by `@ConsumesQuota()` on this request, after spending. */
  externalUserQuota?: QuotaUsage;
}

/**
 * Admits requests carrying a valid external-user access token (`Authorization: Bearer eut_…`) and
 * exposes the user as `@CurrentExternalUser()`. A blocked user's token is refused (403) on the next
 * request after the block, on every instance; an unknown or expired one is a 401. Then the route's rules:
 * `@RequireTier('pro', …)` (403 for another effective tier) and `@ConsumesQuota('assistantMessages')`
 * (one unit per request, 429 with `Retry-After` when the tier's limit for the period is spent).
 * Override `getToken` to read the token from elsewhere, or `authorize` to add rules.
 */
@Injectable()
export class ExternalUserGuard extends TokenGuard<ExternalUserPrincipal> {
  protected readonly principalProperty = 'externalUser';

  constructor(
    reflector: Reflector,
    protected readonly tokens: ExternalUserTokensService,
    protected readonly quotas: ExternalUserQuotasService,
  ) {
    super(reflector);
  }

  protected missingCredential(): IdentityError {
    return IdentityError.unauthenticated(
      'Missing access token: send "Authorization: Bearer <token>".',
      IdentityErrorReason.MissingCredential,
    );
  }

  protected verify(token: string, options: VerifyOptions): Promise<CredentialVerdict<ExternalUserPrincipal>> {
    return this.tokens.verify(token, options);
  }

  protected cached(token: string): CredentialVerdict<ExternalUserPrincipal> | undefined {
    return this.tokens.cached(token);
  }

  /** The user; 403 for a blocked one, 401 for an unknown or expired token. */
  protected admit(verdict: CredentialVerdict<ExternalUserPrincipal>): ExternalUserPrincipal {
    if (verdict.valid) {
      return verdict.principal;
    }
    if (verdict.failure === 'refused' && verdict.refusal === BLOCKED_REFUSAL) {
      throw IdentityError.forbidden(IdentityErrorReason.NotAllowed, MESSAGES.blocked);
    }
    throw IdentityError.unauthenticated('Access token is invalid or expired.');
  }

  /** `@RequireTier()`, then `@ConsumesQuota()` (which waits for the counter store). */
  protected override authorize(user: ExternalUserPrincipal, context: ExecutionContext): void | Promise<void> {
    const tiers = this.routeMetadata<readonly string[]>(REQUIRE_TIER_KEY, context);
    if (
      tiers &&
      tiers.length > 0 &&
      !(user.tier && (tiers.includes(user.tier.name) || tiers.includes(user.tier.id)))
    ) {
      throw IdentityError.forbidden(
        IdentityErrorReason.NotAllowed,
        `This route needs the tier ${tiers.map((t) => `'${t}'`).join(' or ')}; ` +
          (user.tier ? `this user's tier is '${user.tier.name}'.` : 'this user has no tier.'),
      );
    }
    const quota = this.routeMetadata<QuotaName>(CONSUMES_QUOTA_KEY, context);
    if (quota) {
      return this.quotas.consume(user, quota).then((usage) => {
        context.getArgByIndex<ExternalUserRequest>(0).externalUserQuota = usage;
      });
    }
  }
}
