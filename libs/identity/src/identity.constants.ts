/** Injection token of the validated, defaulted module options (`ResolvedIdentityOptions`). */
export const IDENTITY_RESOLVED_OPTIONS = Symbol('IDENTITY_RESOLVED_OPTIONS');
/** Injection token of the cache-invalidation bus (`InvalidationBus`). */
export const IDENTITY_INVALIDATION_BUS = Symbol('IDENTITY_INVALIDATION_BUS');
/** Injection token of the rate-limit storage (`ThrottlerStorage` of @nestjs/throttler). */
export const IDENTITY_THROTTLER_STORAGE = Symbol('IDENTITY_THROTTLER_STORAGE');
/** Injection token of the clock expiry decisions read (`IdentityClock`; default `Date.now`). */
export const IDENTITY_CLOCK = Symbol('IDENTITY_CLOCK');

/** Passport strategy name of the workspace API key strategy. */
export const API_KEY_STRATEGY = 'identity-api-key';

/** Metadata key set by `@RequireScope()`. */
export const REQUIRE_SCOPE_KEY = 'identity:require-scope';
/** Metadata key set by `@RequireEnvironment()`. */
export const REQUIRE_ENVIRONMENT_KEY = 'identity:require-environment';
/** Metadata key set by `@SkipRateLimit()`. */
export const SKIP_RATE_LIMIT_KEY = 'identity:skip-rate-limit';
/** Metadata key set by `@RequireTier()`. */
export const REQUIRE_TIER_KEY = 'identity:require-tier';
/** Metadata key set by `@ConsumesQuota()`. */
export const CONSUMES_QUOTA_KEY = 'identity:consumes-quota';

/** The surfaces a host can mount through the `features` option. */
export const IDENTITY_FEATURES = ['user-groups', 'end-users', 'external-users', 'family-users'] as const;
/** One of `IDENTITY_FEATURES`. */
export type IdentityFeature = (typeof IDENTITY_FEATURES)[number];

/** Names of the events the module emits through @nestjs/event-emitter. Payloads carry ids, never secrets. */
export const IdentityEvents = {
  workspaceCreated: 'identity.workspace.created',
  apiKeyCreated: 'identity.api-key.created',
  apiKeyRevoked: 'identity.api-key.revoked',
  userGroupCreated: 'identity.user-group.created',
  userGroupUpdated: 'identity.user-group.updated',
  userGroupTokenRotated: 'identity.user-group.token-rotated',
  userGroupDeleted: 'identity.user-group.deleted',
  familyUserCreated: 'identity.family-user.created',
  familyUserUpdated: 'identity.family-user.updated',
  familyUserStatusChanged: 'identity.family-user.status-changed',
  /** A registration call that would send an email (or `add_email`); not sent with `disable_email_sending`. */
  familyUserEmail: 'identity.family-user.email',
  externalUserCreated: 'identity.external-user.created',
  externalUserUpdated: 'identity.external-user.updated',
  externalUserBlocked: 'identity.external-user.blocked',
  externalUserUnblocked: 'identity.external-user.unblocked',
  endUserCreated: 'identity.end-user.created',
  endUserUpdated: 'identity.end-user.updated',
  endUserDeleted: 'identity.end-user.deleted',
  endUserAnonymized: 'identity.end-user.anonymized',
} as const;
/** One of the values of `IdentityEvents`. */
export type IdentityEventName = (typeof IdentityEvents)[keyof typeof IdentityEvents];
