import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/**
 * One person behind one or more external users (the same person on the web widget and on WhatsApp).
 * A new external user gets a new one, unless the host links it to an existing one through the service.
 */
@Entity('identity_super_identities')
export class SuperIdentityEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_super_identities_workspace' })
  workspace?: WorkspaceEntity;

  @CreatedAtColumn()
  createdAt: Date;
}
