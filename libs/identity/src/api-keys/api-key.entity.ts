import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/** What an API key may do: `read` keys may only call GET routes. */
export type ApiKeyScope = 'read' | 'write';

/** A workspace's management API key. Only its HMAC is stored; the secret is shown once at creation. */
@Entity('identity_api_keys')
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Index('idx_identity_api_keys_workspace')
  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_api_keys_workspace' })
  workspace?: WorkspaceEntity;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 5 })
  scope: ApiKeyScope;

  /** Public id of the key (8 characters after `idk_`); Regpack clients send it as `Api-id`. */
  @Index('idx_identity_api_keys_prefix', { unique: true })
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @Index('idx_identity_api_keys_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  hash: string;

  @InstantColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @InstantColumn({ name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @CreatedAtColumn()
  createdAt: Date;
}
