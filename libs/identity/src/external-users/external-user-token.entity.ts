import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn } from '../common/persistence/instant-columns.js';
import { ExternalUserEntity } from './external-user.entity.js';

/** An access token of an external user (`eut_…`), bound to its workspace, channel and user; stored hashed. */
@Entity('identity_external_user_tokens')
@Index('idx_identity_external_user_tokens_user', ['externalUserId', 'expiresAt'])
export class ExternalUserTokenEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'channel_id', type: 'uuid' })
  channelId: string;

  @Column({ name: 'external_user_id', type: 'uuid' })
  externalUserId: string;

  @ManyToOne(() => ExternalUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'external_user_id',
    foreignKeyConstraintName: 'fk_identity_external_user_tokens_user',
  })
  externalUser?: ExternalUserEntity;

  /** HMAC-SHA-256 of the token under the module secret; the token itself is never stored. */
  @Index('idx_identity_external_user_tokens_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  hash: string;

  /** First characters of the token, to recognise it in logs and support requests. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @CreatedAtColumn()
  createdAt: Date;

  /** When the token stops working (`externalUsers.accessTokenTtlSeconds` after it was issued). */
  @InstantColumn({ name: 'expires_at' })
  expiresAt: Date;
}
