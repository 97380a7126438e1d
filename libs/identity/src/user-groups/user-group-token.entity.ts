import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn } from '../common/persistence/instant-columns.js';
import { UserGroupEntity } from './user-group.entity.js';

/**
 * One embed token of a user group. Only the newest generation is current (and kept sealed so
 * get-or-create can return it); a rotated token lives on until `expiresAt` (the grace window) and a
 * token two rotations old is revoked.
 */
@Entity('identity_user_group_tokens')
@Index('idx_identity_user_group_tokens_group', ['userGroupId', 'generation'])
export class UserGroupTokenEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'user_group_id', type: 'uuid' })
  userGroupId: string;

  @ManyToOne(() => UserGroupEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_group_id', foreignKeyConstraintName: 'fk_identity_user_group_tokens_group' })
  userGroup?: UserGroupEntity;

  @Index('idx_identity_user_group_tokens_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  hash: string;

  /** First characters of the token, to recognise it in logs and support requests. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  /** AES-GCM sealed token, kept only while this token is the current one. */
  @Column({ type: 'text', nullable: true })
  sealed: string | null;

  @Column({ type: 'integer' })
  generation: number;

  @CreatedAtColumn()
  createdAt: Date;

  /** End of the rotation grace window; null while the token is current. */
  @InstantColumn({ name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @InstantColumn({ name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
