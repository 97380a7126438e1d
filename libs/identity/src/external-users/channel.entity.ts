import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/** A channel of a workspace (a web widget, a WhatsApp number…): external users belong to one. */
@Entity('identity_channels')
@Index('idx_identity_channels_workspace', ['workspaceId', 'createdAt'])
export class ChannelEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_channels_workspace' })
  workspace?: WorkspaceEntity;

  /** 3 to 50 characters. */
  @Column({ type: 'varchar', length: 50 })
  name: string;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
