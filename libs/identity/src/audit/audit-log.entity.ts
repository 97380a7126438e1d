import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../common/persistence/instant-columns.js';

/** Who acted: a management API key, a token-holding end user, a parent acting for a child, or host code. */
export type AuditActorType = 'api_key' | 'user_group' | 'external_user' | 'family_user' | 'system';

/** One write: who, what, on which target, when. Holds ids only: no secrets and no PII. */
@Entity('identity_audit_log')
@Index('idx_identity_audit_log_workspace_created', ['workspaceId', 'createdAt'])
export class AuditLogEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'actor_type', type: 'varchar', length: 20 })
  actorType: AuditActorType;

  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId: string | null;

  /** Regpack's `Api-user` header, when the caller sent one. */
  @Column({ name: 'api_user', type: 'varchar', length: 100, nullable: true })
  apiUser: string | null;

  @Column({ type: 'varchar', length: 80 })
  action: string;

  @Column({ name: 'target_type', type: 'varchar', length: 40 })
  targetType: string;

  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true })
  targetId: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
