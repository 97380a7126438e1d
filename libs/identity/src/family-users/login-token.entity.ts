import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn } from '../common/persistence/instant-columns.js';
import { CentralLoginEntity } from './central-login.entity.js';
import { ProjectEntity } from './project.entity.js';

/**
 * The single-use `user_token` a `login` answers with: exchanged once (within its lifetime) for a family
 * session token. Stored only as its hash.
 */
@Entity('identity_family_login_tokens')
@Index('idx_identity_family_login_tokens_login', ['centralLoginId'])
export class LoginTokenEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'central_login_id', type: 'uuid' })
  centralLoginId: string;

  @ManyToOne(() => CentralLoginEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'central_login_id',
    foreignKeyConstraintName: 'fk_identity_family_login_tokens_login',
  })
  centralLogin?: CentralLoginEntity;

  @Column({ name: 'project_id', type: 'uuid' })
  projectId: string;

  @ManyToOne(() => ProjectEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'project_id', foreignKeyConstraintName: 'fk_identity_family_login_tokens_project' })
  project?: ProjectEntity;

  @Index('idx_identity_family_login_tokens_hash', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  hash: string;

  /** First characters of the token, to recognise it in logs and support requests. */
  @Column({ type: 'varchar', length: 16 })
  prefix: string;

  @CreatedAtColumn()
  createdAt: Date;

  @InstantColumn({ name: 'expires_at' })
  expiresAt: Date;

  /** When it was exchanged; a used token never works again. */
  @InstantColumn({ name: 'used_at', nullable: true })
  usedAt: Date | null;
}
