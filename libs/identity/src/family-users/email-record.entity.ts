import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn } from '../common/persistence/instant-columns.js';
import { FamilyUserEntity } from './family-user.entity.js';

/** An email recorded against a registration (`add_email`). The module records it and sends nothing. */
@Entity('identity_family_email_records')
@Index('idx_identity_family_email_records_user', ['familyUserId'])
export class EmailRecordEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'family_user_id', type: 'uuid' })
  familyUserId: string;

  @ManyToOne(() => FamilyUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'family_user_id', foreignKeyConstraintName: 'fk_identity_family_email_records_user' })
  familyUser?: FamilyUserEntity;

  @Column({ name: 'from_address', type: 'varchar', length: 320 })
  fromAddress: string;

  @Column({ name: 'to_address', type: 'varchar', length: 2000 })
  toAddress: string;

  @Column({ type: 'varchar', length: 998 })
  subject: string;

  @Column({ type: 'text' })
  body: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  cc: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  bcc: string | null;

  /** The host's id of the admin who sent it, if any. */
  @Column({ name: 'admin_id', type: 'varchar', length: 64, nullable: true })
  adminId: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
