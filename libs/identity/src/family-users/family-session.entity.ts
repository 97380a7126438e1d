import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn } from '../common/persistence/instant-columns.js';
import { CentralLoginEntity } from './central-login.entity.js';
import { ProjectEntity } from './project.entity.js';

/** A family session (`fst_…`), started by exchanging a `user_token`; checked by `FamilyUserGuard`. */
@Entity('identity_family_sessions')
@Index('idx_identity_family_sessions_login', ['centralLoginId'])
export class FamilySessionEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'central_login_id', type: 'uuid' })
  centralLoginId: string;

  @ManyToOne(() => CentralLoginEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'central_login_id', foreignKeyConstraintName: 'fk_identity_family_sessions_login' })
  centralLogin?: CentralLoginEntity;

  /** The project the person logged in to. */
  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_identity_family_sessions_project' })
  project?: ProjectEntity;

  @Index('idx_identity_family_sessions_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  hash: string;

  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @CreatedAtColumn()
  createdAt: Date;

  @InstantColumn({ name: 'expires_at' })
  expiresAt: Date;

  @InstantColumn({ name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
