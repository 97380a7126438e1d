import { ApiKeyEntity } from './api-keys/api-key.entity.js';
import { AuditLogEntity } from './audit/audit-log.entity.js';
import { WorkspaceEntity } from './workspaces/workspace.entity.js';
import { ChannelEntity } from './external-users/channel.entity.js';
import { ExternalUserGroupEntity } from './external-users/external-user-group.entity.js';
import { ExternalUserQuotaUsageEntity } from './external-users/external-user-quota-usage.entity.js';
import { ExternalUserSequenceEntity } from './external-users/external-user-sequence.entity.js';
import { ExternalUserTokenEntity } from './external-users/external-user-token.entity.js';
import { ExternalUserEntity } from './external-users/external-user.entity.js';
import { SuperIdentityEntity } from './external-users/super-identity.entity.js';
import { TierEntity } from './external-users/tier.entity.js';
import { InvalidationEntity } from './common/tokens/invalidation/invalidation.entity.js';
import { AnonymizationRequestEntity } from './end-users/anonymization-request.entity.js';
import {
  ConversationEntity,
  ConversationMessageEntity,
} from './end-users/conversations/conversation.entity.js';
import { CustomAttributeEntity } from './end-users/custom-attributes/custom-attribute.entity.js';
import { EndUserAttributeValueEntity } from './end-users/custom-attributes/end-user-attribute-value.entity.js';
import { EndUserEntity } from './end-users/end-user.entity.js';
import { IdentityFoundation1764000000000 } from './migrations/1764000000000-identity-foundation.js';
import { IdentityUserGroups1764000000001 } from './migrations/1764000000001-user-groups.js';
import { IdentityZoneSafeTime1764000000002 } from './migrations/1764000000002-zone-safe-time.js';
import { IdentityInvalidations1764000000003 } from './migrations/1764000000003-invalidations.js';
import { IdentityFamilyUsers1764000000030 } from './migrations/1764000000030-family-users.js';
import { FAMILY_USERS_ENTITIES } from './family-users/family-users.entities.js';
import { IdentityExternalUsers1764000000020 } from './migrations/1764000000020-external-users.js';
import { IdentityExternalUsersPaging1764000000021 } from './migrations/1764000000021-external-users-paging.js';
import { IdentityEndUsers1764000000010 } from './migrations/1764000000010-end-users.js';
import { UserGroupTokenEntity } from './user-groups/user-group-token.entity.js';
import { UserGroupEntity } from './user-groups/user-group.entity.js';

/** Every entity of the module, for hosts that register entities by hand instead of `autoLoadEntities`. */
export const IDENTITY_ENTITIES = [
  WorkspaceEntity,
  ApiKeyEntity,
  AuditLogEntity,
  UserGroupEntity,
  UserGroupTokenEntity,
  InvalidationEntity,
  ...FAMILY_USERS_ENTITIES,
  ChannelEntity,
  TierEntity,
  ExternalUserGroupEntity,
  SuperIdentityEntity,
  ExternalUserEntity,
  ExternalUserTokenEntity,
  ExternalUserQuotaUsageEntity,
  ExternalUserSequenceEntity,
  EndUserEntity,
  CustomAttributeEntity,
  EndUserAttributeValueEntity,
  ConversationEntity,
  ConversationMessageEntity,
  AnonymizationRequestEntity,
];

/** Every migration of the module, oldest first; they create the whole schema on PostgreSQL and SQLite. */
export const IDENTITY_MIGRATIONS = [
  IdentityFoundation1764000000000,
  IdentityUserGroups1764000000001,
  IdentityZoneSafeTime1764000000002,
  IdentityInvalidations1764000000003,
  IdentityEndUsers1764000000010,
  IdentityExternalUsers1764000000020,
  IdentityExternalUsersPaging1764000000021,
  IdentityFamilyUsers1764000000030,
];
