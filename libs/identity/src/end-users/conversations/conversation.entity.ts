import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CreatedAtColumn, InstantColumn } from '../../common/persistence/instant-columns.js';
import { EndUserEntity } from '../end-user.entity.js';

/** Whether a conversation still runs. Anonymization refuses users with open ones unless forced. */
export type ConversationStatus = 'open' | 'closed';

/** A conversation an end user requested, as the module stores it (a host may keep its own instead). */
@Entity('identity_conversations')
@Index('idx_identity_conversations_user_page', ['endUserId', 'createdAt', 'id'])
@Index('idx_identity_conversations_user_status', ['endUserId', 'status'])
export class ConversationEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'end_user_id', type: 'uuid' })
  endUserId: string;

  @ManyToOne(() => EndUserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'end_user_id', foreignKeyConstraintName: 'fk_identity_conversations_end_user' })
  endUser?: EndUserEntity;

  /** Where it happened: `email`, `chat`, `phone`, … */
  @Column({ type: 'varchar', length: 50 })
  channel: string;

  @Column({ type: 'varchar', length: 10 })
  status: ConversationStatus;

  /** Free text written by people: personal data, erased by anonymization. */
  @Column({ type: 'varchar', length: 500, nullable: true })
  subject: string | null;

  @CreatedAtColumn()
  createdAt: Date;

  @InstantColumn({ name: 'closed_at', nullable: true })
  closedAt: Date | null;
}

/** Who wrote a message. */
export type ConversationMessageAuthor = 'EndUser' | 'Agent' | 'System';

/** One message of a conversation. Its text is personal data, erased by anonymization. */
@Entity('identity_conversation_messages')
@Index('idx_identity_conversation_messages_conversation', ['conversationId', 'createdAt'])
export class ConversationMessageEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'conversation_id', type: 'uuid' })
  conversationId: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({
    name: 'conversation_id',
    foreignKeyConstraintName: 'fk_identity_conversation_messages_conversation',
  })
  conversation?: ConversationEntity;

  @Column({ type: 'varchar', length: 10 })
  author: ConversationMessageAuthor;

  @Column({ type: 'text', nullable: true })
  text: string | null;

  @CreatedAtColumn()
  createdAt: Date;
}
