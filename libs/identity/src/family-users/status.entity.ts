import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../common/persistence/instant-columns.js';
import { ProjectEntity } from './project.entity.js';

/**
 * A registration status of a project (Regpack's statuses): a name, a colour, and whether users with it
 * are left out of user lists unless asked for (`is_excluded`). `status_id` is counted per workspace.
 */
@Entity('identity_family_statuses')
@Index('idx_identity_family_statuses_status', ['workspaceId', 'statusId'], { unique: true })
export class StatusEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_identity_family_statuses_project' })
  project?: ProjectEntity;

  /** Regpack's `status_id`: 1, 2, 3… within the workspace (0 means "no status" in requests). */
  @Column({ name: 'status_id', type: 'integer' })
  statusId: number;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** `#rrggbb`. */
  @Column({ type: 'varchar', length: 7 })
  color: string;

  @Column({ name: 'is_excluded', type: 'boolean', default: false })
  isExcluded: boolean;

  @CreatedAtColumn()
  createdAt: Date;
}
