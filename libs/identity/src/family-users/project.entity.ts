import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/**
 * A Regpack project (a "group"): people register in it. The host creates projects; Regpack's clients
 * name one by its `group_id`, a whole number counted per workspace.
 */
@Entity('identity_family_projects')
@Index('idx_identity_family_projects_group', ['workspaceId', 'groupId'], { unique: true })
export class ProjectEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_family_projects_workspace' })
  workspace?: WorkspaceEntity;

  /** Regpack's `group_id`: 1, 2, 3… within the workspace. */
  @Column({ name: 'group_id', type: 'integer' })
  groupId: number;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @CreatedAtColumn()
  createdAt: Date;
}
