import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, UpdatedAtColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/**
 * One person across every project of a workspace (Regpack's central login). `clogin_id` is counted per
 * workspace. Parents and individuals log in with a username and password; children may have neither.
 */
@Entity('identity_family_central_logins')
@Index('idx_identity_family_central_logins_clogin', ['workspaceId', 'cloginId'], { unique: true })
@Index('idx_identity_family_central_logins_username', ['workspaceId', 'usernameKey'], { unique: true })
export class CentralLoginEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'workspace_id',
    foreignKeyConstraintName: 'fk_identity_family_central_logins_workspace',
  })
  workspace?: WorkspaceEntity;

  /** Regpack's `clogin_id`: 1, 2, 3… within the workspace. */
  @Column({ name: 'clogin_id', type: 'integer' })
  cloginId: number;

  /** The username as given; null for a child without a login of its own. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  username: string | null;

  /** The username trimmed and lower-cased: unique per workspace, so `Jane` and `jane` are one person. */
  @Column({ name: 'username_key', type: 'varchar', length: 200, nullable: true })
  usernameKey: string | null;

  /** Self-describing password hash (`$argon2id$…`); never the password. */
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  @Column({ name: 'main_email', type: 'varchar', length: 320, nullable: true })
  mainEmail: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;
}
