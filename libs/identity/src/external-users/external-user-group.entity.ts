import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';
import { TierEntity } from './tier.entity.js';

/** A group of external users (a customer company, a class…); its tier applies to members without one. */
@Entity('identity_external_user_groups')
@Index('idx_identity_external_user_groups_external', ['workspaceId', 'externalId'], { unique: true })
@Index('idx_identity_external_user_groups_workspace', ['workspaceId', 'createdAt'])
export class ExternalUserGroupEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'workspace_id',
    foreignKeyConstraintName: 'fk_identity_external_user_groups_workspace',
  })
  workspace?: WorkspaceEntity;

  /** The host's own reference, 3 to 250 characters, unique in the workspace. */
  @Column({ name: 'external_id', type: 'varchar', length: 250 })
  externalId: string;

  /** 3 to 50 characters. */
  @Column({ type: 'varchar', length: 50 })
  name: string;

  @Index('idx_identity_external_user_groups_tier')
  @Column({ name: 'tier_id', type: 'uuid', nullable: true })
  tierId: string | null;

  @ManyToOne(() => TierEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'tier_id', foreignKeyConstraintName: 'fk_identity_external_user_groups_tier' })
  tier?: TierEntity | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
