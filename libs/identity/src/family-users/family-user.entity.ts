import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn, UpdatedAtColumn } from '../common/persistence/instant-columns.js';
import type { JsonObject } from '../common/persistence/persistence.js';
import { CentralLoginEntity } from './central-login.entity.js';
import { ProjectEntity } from './project.entity.js';
import { StatusEntity } from './status.entity.js';

/**
 * A person's registration in one project: the form fields they filled in, their parent (for a child),
 * and their status. One per person and project.
 */
@Entity('identity_family_users')
@Index('idx_identity_family_users_person', ['centralLoginId', 'projectId'], { unique: true })
@Index('idx_identity_family_users_project', ['projectId', 'cloginId'])
@Index('idx_identity_family_users_family', ['workspaceId', 'connectedTo'])
export class FamilyUserEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_identity_family_users_project' })
  project?: ProjectEntity;

  @Column({ name: 'central_login_id', type: 'uuid' })
  centralLoginId: string;

  @ManyToOne(() => CentralLoginEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'central_login_id', foreignKeyConstraintName: 'fk_identity_family_users_login' })
  centralLogin?: CentralLoginEntity;

  /** The person's `clogin_id` (copied from the central login, which never changes it). */
  @Column({ name: 'clogin_id', type: 'integer' })
  cloginId: number;

  /** The parent's `clogin_id` for a child; null for a parent or an individual. */
  @Column({ name: 'connected_to', type: 'integer', nullable: true })
  connectedTo: number | null;

  /** The registration form's fields as sent (never the password). */
  @Column({ type: 'simple-json' })
  fields: JsonObject;

  @Column({ name: 'status_ref_id', type: 'uuid', nullable: true })
  statusRefId: string | null;

  @ManyToOne(() => StatusEntity, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'status_ref_id', foreignKeyConstraintName: 'fk_identity_family_users_status' })
  status?: StatusEntity | null;

  /** When the form was last submitted; null while saved with `submit_forms: false` only. */
  @InstantColumn({ name: 'form_submitted_at', nullable: true })
  formSubmittedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
