// The public API of nestjs-identity: everything a host may import, and nothing else.
export { IdentityModule } from './identity.module.js';
export {
  IDENTITY_MODULE_OPTIONS,
  IdentityOptionsError,
  resolveIdentityOptions,
  type IdentityModuleExtras,
  type IdentityModuleOptions,
  type IdentityPaths,
  type IdentitySwaggerOptions,
  type InvalidationOption,
  type ResolvedIdentityOptions,
} from './identity.module-definition.js';
export {
  API_KEY_STRATEGY,
  IDENTITY_CLOCK,
  IDENTITY_FEATURES,
  IDENTITY_INVALIDATION_BUS,
  IDENTITY_RESOLVED_OPTIONS,
  IDENTITY_THROTTLER_STORAGE,
  IdentityEvents,
  type IdentityEventName,
  type IdentityFeature,
} from './identity.constants.js';
export { IDENTITY_ENTITIES, IDENTITY_MIGRATIONS } from './identity.entities.js';

export { WorkspaceEntity } from './workspaces/workspace.entity.js';
export { WorkspacesService } from './workspaces/workspaces.service.js';
export { ApiKeyEntity, type ApiKeyScope } from './api-keys/api-key.entity.js';
export {
  API_KEY_PREFIX,
  ApiKeysService,
  type ApiKeyPrincipal,
  type ApiKeyView,
} from './api-keys/api-keys.service.js';

export { ApiKeyGuard, type IdentityRequest } from './api-keys/api-key.guard.js';
export {
  ApiKeyAuth,
  CurrentActor,
  CurrentCaller,
  CurrentPrincipal,
  CurrentWorkspace,
  RequireScope,
  SkipRateLimit,
} from './api-keys/api-key.decorators.js';
export { AuditLogEntity, type AuditActorType } from './audit/audit-log.entity.js';
export { AuditService, SYSTEM_ACTOR, type AuditActor, type AuditEntry } from './audit/audit.service.js';
export {
  IdentityError,
  IdentityErrorCode,
  IdentityErrorReason,
  type IdentityErrorDetails,
} from './common/errors/identity-error.js';
export { type IdentityEventPayload } from './common/events/identity-events.js';
export { type IdentityClock, SYSTEM_CLOCK } from './common/clock.js';
export { RateLimiter } from './common/rate-limit/rate-limiter.js';
export {
  MemoryThrottlerStorage,
  type ThrottlerStorage,
  type ThrottlerStorageRecord,
} from './common/rate-limit/memory-throttler.storage.js';
export { RedisThrottlerStorage } from './common/rate-limit/redis-throttler.storage.js';
export { DatabaseInvalidationBus } from './common/tokens/invalidation/database-invalidation.bus.js';
export { InvalidationEntity } from './common/tokens/invalidation/invalidation.entity.js';
export { INVALIDATE_ALL, type InvalidationBus } from './common/tokens/invalidation/invalidation-bus.js';
export { LocalInvalidationBus } from './common/tokens/invalidation/local-invalidation.bus.js';
export { PostgresInvalidationBus } from './common/tokens/invalidation/postgres-invalidation.bus.js';
export { RedisInvalidationBus } from './common/tokens/invalidation/redis-invalidation.bus.js';
export { TokenCache } from './common/tokens/token-cache.js';
export { TokenHasher } from './common/tokens/token-hasher.js';
export { isWellFormedToken, mintToken } from './common/tokens/token-format.js';
export { TokenSealer } from './common/tokens/token-sealer.js';
export { type JsonObject, runInTransaction } from './common/persistence/persistence.js';
export { MAX_INPUT_DEPTH } from './common/http/validation.pipe.js';
export {
  IDENTITY_SECURITY_SCHEMES,
  REGPACK_KEY_SECURITY,
  type IdentitySecurityScheme,
} from './common/http/openapi.js';

export {
  API_ENVIRONMENT_TAGS,
  UserGroupEntity,
  type ApiEnvironmentTag,
} from './user-groups/user-group.entity.js';
export { UserGroupTokenEntity } from './user-groups/user-group-token.entity.js';
export {
  USER_GROUP_TOKEN_PREFIX,
  UserGroupsService,
  type GetOrCreateUserGroupInput,
  type UpdateUserGroupInput,
  type UserGroupPrincipal,
  type UserGroupView,
} from './user-groups/user-groups.service.js';
export {
  UserGroupTokenGuard,
  readUserGroupToken,
  type UserGroupRequest,
} from './user-groups/user-group-token.guard.js';
export { CurrentUserGroup, RequireEnvironment, UserGroupAuth } from './user-groups/user-group.decorators.js';
export { UserGroupsExceptionFilter } from './user-groups/user-groups.exception-filter.js';
export {
  normalizeError,
  SurfaceExceptionFilter,
  type NormalizedError,
} from './common/http/surface-exception.filter.js';
export { ManagementExceptionFilter } from './api-keys/management.exception-filter.js';
export { CredentialGuard } from './common/http/credential-guard.js';
/** Base of the bearer-token guards: verify, answer from the cache without waiting, admit or refuse. */
export { TokenGuard } from './common/http/token-guard.js';
export {
  clientOf,
  readAuthorization,
  readQueryCredential,
  type CredentialRequest,
} from './common/http/credential-request.js';
export { mountController, type SurfaceDescriptor } from './common/http/surface.js';
export {
  CredentialVerifier,
  type CredentialFailure,
  type CredentialLoader,
  type CredentialVerdict,
  type StoredCredential,
  type VerifyOptions,
} from './common/tokens/credential-verifier.js';
export { AuthFailureLimiter } from './common/rate-limit/auth-failure-limiter.js';
export { type Caller, type CallerLike, toCaller } from './audit/caller.js';
export {
  ExploError,
  ExploGetOrCreateResponse,
  ExploSuccess,
  ExploUserGroup,
  ExploUserGroupResponse,
} from './user-groups/dto/user-group.response.js';
export { type UserGroupsOptions } from './user-groups/user-groups.options.js';

export { ProjectEntity } from './family-users/project.entity.js';
export { CentralLoginEntity } from './family-users/central-login.entity.js';
export { FamilyUserEntity } from './family-users/family-user.entity.js';
export { StatusEntity } from './family-users/status.entity.js';
export { UserProductEntity } from './family-users/user-product.entity.js';
export { EmailRecordEntity } from './family-users/email-record.entity.js';
export { LoginTokenEntity } from './family-users/login-token.entity.js';
export { FamilySessionEntity } from './family-users/family-session.entity.js';
export { ProjectsService, type CreateProjectInput } from './family-users/projects.service.js';
export { StatusesService, type CreateStatusInput } from './family-users/statuses.service.js';
export { FamilyUsersService } from './family-users/family-users.service.js';
export {
  FAMILY_LOGIN_TOKEN_PREFIX,
  FAMILY_LOGIN_TOKEN_TTL_MS,
  FAMILY_SESSION_TOKEN_PREFIX,
  FamilySessionsService,
  type FamilySessionPrincipal,
  type StartedFamilySession,
} from './family-users/family-sessions.service.js';
export {
  FAMILY_USER_ACTIONS,
  type FamilyUserAction,
  type FamilyUserInfo,
  type FamilyUserInfoFlags,
  type FamilyUserList,
  type FamilyUserListEntry,
  type FamilyUserListOptions,
  type FamilyUsersOutcome,
  type FamilyUsersRequest,
  type FamilyUserStatusView,
  type FamilyUserView,
  type UserProductView,
} from './family-users/family-user.view.js';
export {
  ARGON2ID_PARAMETERS,
  Argon2idPasswordHashing,
  PasswordHasher,
  type Argon2idParameters,
  type PasswordHashing,
} from './family-users/password-hasher.js';
export {
  ACTING_FOR_HEADER,
  FamilyUserGuard,
  type ActingFor as ActingForPerson,
  type FamilyUserPrincipal,
  type FamilyUserRequest,
} from './family-users/family-user.guard.js';
export { ActingFor, CurrentFamilyUser, FamilyUserAuth } from './family-users/family-user.decorators.js';
export { FamilyUsersExceptionFilter } from './family-users/family-users.exception-filter.js';
export {
  FamilyUsersResponse,
  RegpackProduct,
  RegpackUserCart,
  RegpackUserForm,
} from './family-users/dto/family-users.response.js';
export {
  RegpackError,
  RegpackMetaInfo,
  RegpackSuccess,
  RegpackUserEntry,
  RegpackUserInfo,
} from './family-users/dto/regpack-envelope.response.js';
export {
  FamilySessionResponse,
  ProjectCreatedResponse,
  StatusCreatedResponse,
} from './family-users/dto/family-projects.response.js';
export { type FamilyUsersOptions } from './family-users/family-users.options.js';

export { ChannelEntity } from './external-users/channel.entity.js';
export { TierEntity } from './external-users/tier.entity.js';
export { ExternalUserGroupEntity } from './external-users/external-user-group.entity.js';
export { SuperIdentityEntity } from './external-users/super-identity.entity.js';
export { ExternalUserEntity } from './external-users/external-user.entity.js';
export { ExternalUserTokenEntity } from './external-users/external-user-token.entity.js';
export { ExternalUserQuotaUsageEntity } from './external-users/external-user-quota-usage.entity.js';
export { ExternalUserSequenceEntity } from './external-users/external-user-sequence.entity.js';
export {
  ExternalUsersService,
  type AuthenticateExternalUserInput,
  type CreateExternalUserInput,
  type ExternalUserWithToken,
  type UpdateExternalUserInput,
} from './external-users/external-users.service.js';
export { type ListExternalUsersQuery } from './external-users/external-users.list.js';
export { type PageRequest } from './external-users/external-users.rules.js';
export {
  ExternalUserGroupsService,
  type CreateExternalUserGroupInput,
  type UpdateExternalUserGroupInput,
} from './external-users/external-user-groups.service.js';
export { TiersService, type CreateTierInput, type UpdateTierInput } from './external-users/tiers.service.js';
export {
  ChannelsService,
  type CreateChannelInput,
  type UpdateChannelInput,
} from './external-users/channels.service.js';
export {
  EXTERNAL_USER_TOKEN_PREFIX,
  ExternalUserTokensService,
  type EffectiveTier,
  type ExternalUserPrincipal,
} from './external-users/external-user-tokens.service.js';
export {
  ExternalUserQuotasService,
  QUOTA_NAMES,
  type QuotaName,
  type QuotaSubject,
  type QuotaUsage,
} from './external-users/external-user-quotas.service.js';
export { ExternalUserGuard, type ExternalUserRequest } from './external-users/external-user.guard.js';
export {
  ConsumesQuota,
  CurrentExternalUser,
  CurrentQuotaUsage,
  ExternalUserAuth,
  RequireTier,
} from './external-users/external-user.decorators.js';
export {
  ExternalUsersExceptionFilter,
  ZAIA_INVALID_DATA,
  type ZaiaErrorDetail,
} from './external-users/external-users.exception-filter.js';
export { ZaiaExternalUser, ZaiaExternalUserWithToken } from './external-users/dto/external-user.response.js';
export { ZaiaTier } from './external-users/dto/tier.dto.js';
export { ZaiaChannel } from './external-users/dto/channel.dto.js';
export { ZaiaExternalUserGroup } from './external-users/dto/external-user-group.dto.js';
export { ZaiaError } from './external-users/dto/common.dto.js';
export { type ExternalUsersOptions, type QuotaPeriod } from './external-users/external-users.options.js';

export { END_USER_PII_FIELDS, EndUserEntity, type EndUserPiiField } from './end-users/end-user.entity.js';
export {
  CUSTOM_ATTRIBUTE_ENTITY_TYPES,
  CustomAttributeEntity,
  type CustomAttributeEntityType,
  type CustomAttributeInput,
  type CustomAttributeInputType,
  type SelectOption,
} from './end-users/custom-attributes/custom-attribute.entity.js';
export {
  EndUserAttributeValueEntity,
  type CustomAttributeValue,
} from './end-users/custom-attributes/end-user-attribute-value.entity.js';
export {
  ConversationEntity,
  ConversationMessageEntity,
  type ConversationMessageAuthor,
  type ConversationStatus,
} from './end-users/conversations/conversation.entity.js';
export { AnonymizationRequestEntity } from './end-users/anonymization-request.entity.js';
export {
  END_USERS_PAGE_LIMIT,
  EndUsersService,
  type EndUserPage,
  type EndUserView,
  type KeyedPage,
  type ListEndUsersQuery,
  type PageQuery,
} from './end-users/end-users.service.js';
export {
  EndUsersBulkService,
  type BulkFailure,
  type BulkFailureType,
  type BulkOutcome,
  type EndUserUpdateInput,
} from './end-users/end-users-bulk.service.js';
export {
  normalizeEmail,
  normalizePhoneNumber,
  type EndUserFields,
  type EndUserInput,
} from './end-users/end-user-fields.js';
export { type EndUserRecord } from './end-users/end-user-rows.js';
export {
  CustomAttributesService,
  type CreateCustomAttributeInput,
  type CustomAttributeValueView,
  type CustomAttributeView,
  type UpdateCustomAttributeInput,
} from './end-users/custom-attributes/custom-attributes.service.js';
export {
  type CustomAttributeInputDefinition,
  type SelectOptionInput,
} from './end-users/custom-attributes/custom-attribute-definitions.js';
export {
  AnonymizationService,
  type AnonymizationRequestView,
  type AnonymizeOptions,
} from './end-users/anonymization.service.js';
export { EndUserExportService, type EndUserExport } from './end-users/end-user-export.service.js';
export {
  CONVERSATIONS_REPOSITORY,
  type ConversationExport,
  type ConversationsRepository,
  type ConversationView,
} from './end-users/conversations/conversations.repository.js';
export {
  ConversationsService,
  type OpenConversationInput,
} from './end-users/conversations/conversations.service.js';
export { EndUsersExceptionFilter } from './end-users/end-users.exception-filter.js';
export { type EndUsersOptions } from './end-users/end-users.options.js';
export {
  PageKeys,
  type KeysetPage,
  type KeysetPageRequest,
  type KeysetPosition,
} from './common/pagination/keyset.js';
export {
  DixaAnonymizationRequest,
  DixaAnonymizationResponse,
  DixaBulkActionFailure,
  DixaBulkActionSuccess,
  DixaBulkError,
  DixaBulkResponse,
  DixaConversation,
  DixaConversationListResponse,
  DixaCustomAttributeValue,
  DixaCustomAttributeValuesResponse,
  DixaEndUser,
  DixaEndUserExport,
  DixaEndUserExportResponse,
  DixaEndUserListItem,
  DixaEndUserListResponse,
  DixaEndUserResponse,
  DixaError,
  DixaPageLinks,
} from './end-users/dto/end-user.response.js';
export {
  DixaCustomAttribute,
  DixaCustomAttributeListResponse,
  DixaCustomAttributeResponse,
} from './end-users/dto/custom-attribute.dto.js';
/**
 * The `nestjs-identity` CLI's commands, for a host that adds them to its own CLI: `parseIdentityCliArgs`
 * splits a command line, `runIdentityCliCommand` runs a workspace or key command against a booted app,
 * `requiredCliFlag` reads a flag, `IdentityCliUsageError` is a usage mistake (exit 2).
 */
export {
  IDENTITY_CLI_USAGE,
  IdentityCliUsageError,
  parseArgs as parseIdentityCliArgs,
  required as requiredCliFlag,
  runIdentityCliCommand,
} from './cli/identity-cli.js';
