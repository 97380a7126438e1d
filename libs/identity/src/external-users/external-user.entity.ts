import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';
import { ChannelEntity } from './channel.entity.js';
import { ExternalUserGroupEntity } from './external-user-group.entity.js';
import { SuperIdentityEntity } from './super-identity.entity.js';
import { TierEntity } from './tier.entity.js';

/**
 * A user of the host's own product reaching the assistant through one channel (Zaia's external user).
 * `externalId` and `identifier` are each unique within the channel (several users may have neither).
 * `ordinal` numbers the workspace's users 1, 2, 3… in creation order, so page N of the list is a range
 * of the `(workspace_id, ordinal)` index however deep it is; `channelOrdinal` numbers the channel's
 * users the same way, for a page of one channel. The other list filters have a
 * `(filter, workspace_id, ordinal)` index that a filtered page's inner query reads alone.
 */
@Entity('identity_external_users')
@Index('idx_identity_external_users_ordinal', ['workspaceId', 'ordinal'], { unique: true })
@Index('idx_identity_external_users_external', ['channelId', 'externalId'], { unique: true })
@Index('idx_identity_external_users_identifier', ['channelId', 'identifier'], { unique: true })
@Index('idx_identity_external_users_channel', ['channelId', 'workspaceId', 'channelOrdinal'], {
  unique: true,
})
@Index('idx_identity_external_users_group', ['externalUserGroupId', 'workspaceId', 'ordinal'])
@Index('idx_identity_external_users_tier', ['tierId', 'workspaceId', 'ordinal'])
@Index('idx_identity_external_users_super_identity', ['superIdentityId', 'workspaceId', 'ordinal'])
export class ExternalUserEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_external_users_workspace' })
  workspace?: WorkspaceEntity;

  /** Position in the workspace (1, 2, 3…, no gaps): the list's page index. */
  @Column({ type: 'integer' })
  ordinal: number;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId: string;

  /** Position in the channel (1, 2, 3…, no gaps: users never change channel): a channel page's index. */
  @Column({ name: 'channel_ordinal', type: 'integer' })
  channelOrdinal: number;

  @ManyToOne(() => ChannelEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'channel_id', foreignKeyConstraintName: 'fk_identity_external_users_channel' })
  channel?: ChannelEntity;

  /** External reference in the integrated system: 3 to 250 characters, or null. */
  @Column({ name: 'external_id', type: 'varchar', length: 250, nullable: true })
  externalId: string | null;

  /** A unique identifier of the user (username, email, phone number…): 1 to 250 characters, or null. */
  @Column({ type: 'varchar', length: 250, nullable: true })
  identifier: string | null;

  /** Display name: 3 to 50 characters, or null. */
  @Column({ type: 'varchar', length: 50, nullable: true })
  name: string | null;

  /** A blocked user gets no access token, and the ones it has are refused (403) on the next request. */
  @Column({ type: 'boolean', default: false })
  blocked: boolean;

  /** The user's own tier; without one, its group's tier applies. */
  @Column({ name: 'tier_id', type: 'uuid', nullable: true })
  tierId: string | null;

  @ManyToOne(() => TierEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'tier_id', foreignKeyConstraintName: 'fk_identity_external_users_tier' })
  tier?: TierEntity | null;

  @Column({ name: 'external_user_group_id', type: 'uuid', nullable: true })
  externalUserGroupId: string | null;

  @ManyToOne(() => ExternalUserGroupEntity, { onDelete: 'SET NULL' })
  @JoinColumn({
    name: 'external_user_group_id',
    foreignKeyConstraintName: 'fk_identity_external_users_group',
  })
  externalUserGroup?: ExternalUserGroupEntity | null;

  @Column({ name: 'super_identity_id', type: 'uuid' })
  superIdentityId: string;

  @ManyToOne(() => SuperIdentityEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'super_identity_id',
    foreignKeyConstraintName: 'fk_identity_external_users_super_identity',
  })
  superIdentity?: SuperIdentityEntity;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
