import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/** A tier of service (Zaia): what an external user may do, and how many assistant messages a month. */
@Entity('identity_tiers')
@Index('idx_identity_tiers_workspace', ['workspaceId', 'createdAt'])
export class TierEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_tiers_workspace' })
  workspace?: WorkspaceEntity;

  /** 3 to 50 characters; `@RequireTier('pro')` matches it (or the id). */
  @Column({ type: 'varchar', length: 50 })
  name: string;

  /** 3 to 250 characters. */
  @Column({ type: 'varchar', length: 250 })
  description: string;

  /** Assistant messages per user and quota period (default a calendar month in UTC); null: unlimited. */
  @Column({ name: 'max_assistant_messages', type: 'integer', nullable: true })
  maxAssistantMessages: number | null;

  /** 3 to 500 characters, or null. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  prompt: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
