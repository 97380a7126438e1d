import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { InstantColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/**
 * A request to anonymize an end user, in the seed's shape. It holds ids and times only, so it may
 * outlive the user it names (no foreign key to the user).
 */
@Entity('identity_anonymization_requests')
@Index('idx_identity_anonymization_requests_target', ['workspaceId', 'targetEntityId'])
export class AnonymizationRequestEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'workspace_id',
    foreignKeyConstraintName: 'fk_identity_anonymization_requests_workspace',
  })
  workspace?: WorkspaceEntity;

  /** What is anonymized; only `User` (an end user) so far. */
  @Column({ type: 'varchar', length: 20 })
  type: 'User';

  /** The end user's id. */
  @Column({ name: 'target_entity_id', type: 'uuid' })
  targetEntityId: string;

  /** Id of the API key (or other actor) that asked; null for host code. */
  @Column({ name: 'requested_by', type: 'varchar', length: 64, nullable: true })
  requestedBy: string | null;

  @InstantColumn({ name: 'initiated_at' })
  initiatedAt: Date;

  @InstantColumn({ name: 'processed_at', nullable: true })
  processedAt: Date | null;
}
