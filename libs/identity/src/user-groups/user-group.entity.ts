import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../common/persistence/instant-columns.js';
import type { JsonObject } from '../common/persistence/persistence.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/** Explo's environment tag: the same `provided_id` may exist once per environment. */
export type ApiEnvironmentTag = 'Customer' | 'Testing';
/** Every allowed `api_environment_tag`. */
export const API_ENVIRONMENT_TAGS: readonly ApiEnvironmentTag[] = ['Customer', 'Testing'];

/** A user group (an Explo "end user group"): one customer of the host, viewing embedded dashboards. */
@Entity('identity_user_groups')
@Index('idx_identity_user_groups_provided', ['workspaceId', 'apiEnvironmentTag', 'providedId'], {
  unique: true,
})
export class UserGroupEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_user_groups_workspace' })
  workspace?: WorkspaceEntity;

  /** The host's own id for the group (`user_group_id` in requests, `provided_id` in responses). */
  @Column({ name: 'provided_id', type: 'varchar', length: 200 })
  providedId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'api_environment_tag', type: 'varchar', length: 10 })
  apiEnvironmentTag: ApiEnvironmentTag;

  @Column({ type: 'simple-json', nullable: true })
  properties: JsonObject | null;

  @Column({ type: 'simple-json', nullable: true })
  mapping: JsonObject | null;

  @Column({ name: 'is_demo_group', type: 'boolean', default: false })
  isDemoGroup: boolean;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
