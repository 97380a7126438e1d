import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn, UpdatedAtColumn } from '../common/persistence/instant-columns.js';
import { WorkspaceEntity } from '../workspaces/workspace.entity.js';

/**
 * An end user (Dixa's "contact"): a customer of the host who talks to it through conversations.
 * Every field the seed names is a column; custom attribute values live in their own table.
 */
@Entity('identity_end_users')
@Index('idx_identity_end_users_external', ['workspaceId', 'externalId'], { unique: true })
@Index('idx_identity_end_users_email', ['workspaceId', 'email'])
@Index('idx_identity_end_users_phone', ['workspaceId', 'phoneNumber'])
@Index('idx_identity_end_users_page', ['workspaceId', 'createdAt', 'id'])
export class EndUserEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @ManyToOne(() => WorkspaceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'workspace_id', foreignKeyConstraintName: 'fk_identity_end_users_workspace' })
  workspace?: WorkspaceEntity;

  @Column({ name: 'display_name', type: 'varchar', length: 255, nullable: true })
  displayName: string | null;

  /** Primary email, lower-cased. */
  @Column({ type: 'varchar', length: 320, nullable: true })
  email: string | null;

  /** Primary phone number in E.164 (`+4512345678`). */
  @Column({ name: 'phone_number', type: 'varchar', length: 16, nullable: true })
  phoneNumber: string | null;

  @Column({ name: 'additional_emails', type: 'simple-json' })
  additionalEmails: string[];

  @Column({ name: 'additional_phone_numbers', type: 'simple-json' })
  additionalPhoneNumbers: string[];

  @Column({ name: 'first_name', type: 'varchar', length: 255, nullable: true })
  firstName: string | null;

  @Column({ name: 'last_name', type: 'varchar', length: 255, nullable: true })
  lastName: string | null;

  @Column({ name: 'middle_names', type: 'simple-json' })
  middleNames: string[];

  @Column({ name: 'avatar_url', type: 'varchar', length: 2048, nullable: true })
  avatarUrl: string | null;

  /** The host's own id for the user; unique per workspace when set. */
  @Column({ name: 'external_id', type: 'varchar', length: 255, nullable: true })
  externalId: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @UpdatedAtColumn()
  updatedAt: Date;

  /** When the user's personal data was erased; set once, never cleared. */
  @InstantColumn({ name: 'anonymized_at', nullable: true })
  anonymizedAt: Date | null;
}

/**
 * Every field of `EndUserEntity` that holds personal data: what anonymization erases and what the
 * export returns. Keep it in step with the entity (a unit spec checks every text column is listed).
 */
export const END_USER_PII_FIELDS = [
  'displayName',
  'email',
  'phoneNumber',
  'additionalEmails',
  'additionalPhoneNumbers',
  'firstName',
  'lastName',
  'middleNames',
  'avatarUrl',
  'externalId',
] as const satisfies readonly (keyof EndUserEntity)[];

/** One of `END_USER_PII_FIELDS`. */
export type EndUserPiiField = (typeof END_USER_PII_FIELDS)[number];
