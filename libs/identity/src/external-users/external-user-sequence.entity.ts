import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/**
 * The last `ordinal` given to an external user of the workspace. Incrementing it locks the row until
 * the creating transaction ends, so ordinals have no gaps even when a creation rolls back.
 */
@Entity('identity_external_user_sequences')
export class ExternalUserSequenceEntity {
  @PrimaryColumn({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'workspace_id',
    foreignKeyConstraintName: 'fk_identity_external_user_sequences_workspace',
  })
  workspace?: WorkspaceEntity;

  @Column({ name: 'last_ordinal', type: 'integer' })
  lastOrdinal: number;
}
