import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, In } from 'typeorm';
import { AuditService } from '../../audit/audit.service.js';
import { type CallerLike, toCaller } from '../../audit/caller.js';
import { IdentityError } from '../../common/errors/identity-error.js';
import {
  type KeysetPage,
  type KeysetPageRequest,
  keysetPage,
  keysetSql,
} from '../../common/pagination/keyset.js';
import {
  dialectOf,
  instantOf,
  insertRows,
  isUuid,
  newId,
  queryRows,
  runInTransaction,
} from '../../common/persistence/persistence.js';
import { EndUserEntity } from '../end-user.entity.js';
import {
  type ConversationMessageAuthor,
  ConversationEntity,
  ConversationMessageEntity,
} from './conversation.entity.js';
import type {
  ConversationExport,
  ConversationsRepository,
  ConversationView,
} from './conversations.repository.js';

interface ConversationRow {
  id: string;
  end_user_id: string;
  channel: string;
  status: 'open' | 'closed';
  created_at: unknown;
  closed_at: unknown;
}

function viewOf(row: ConversationRow): ConversationView {
  const closedAt = instantOf(row.closed_at);
  return {
    id: row.id,
    endUserId: row.end_user_id,
    channel: row.channel,
    status: row.status,
    createdAt: new Date(instantOf(row.created_at) ?? 0),
    closedAt: closedAt === null ? null : new Date(closedAt),
  };
}

/** Input of `ConversationsService.open`. */
export interface OpenConversationInput {
  channel: string;
  subject?: string | null;
}

/**
 * The module's own store of end-user conversations and messages (the default `CONVERSATIONS_REPOSITORY`).
 * Host code records conversations with `open`, `addMessage` and `close`; the end-users surface lists,
 * exports and anonymizes them.
 */
@Injectable()
export class ConversationsService implements ConversationsRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  /** Opens a conversation requested by an end user of the workspace. */
  async open(
    callerLike: CallerLike,
    endUserId: string,
    input: OpenConversationInput,
  ): Promise<ConversationView> {
    const caller = toCaller(callerLike);
    const channel = input.channel?.trim();
    if (!channel || channel.length > 50) {
      throw IdentityError.validation('channel: must be 1 to 50 characters long', ['channel']);
    }
    if (input.subject && input.subject.length > 500) {
      throw IdentityError.validation('subject: must be at most 500 characters long', ['subject']);
    }
    const row: ConversationEntity = {
      id: newId(),
      workspaceId: caller.workspaceId,
      endUserId,
      channel,
      status: 'open',
      subject: input.subject ?? null,
      createdAt: new Date(),
      closedAt: null,
    };
    await runInTransaction(this.dataSource, async (manager) => {
      await this.requireEndUser(manager, caller.workspaceId, endUserId);
      await insertRows(manager, ConversationEntity, row);
      await this.audit.record(
        caller.actor,
        this.auditEntry(caller.workspaceId, 'conversation.open', row.id),
        manager,
      );
    });
    const { subject: _subject, workspaceId: _workspaceId, ...view } = row;
    return view;
  }

  /** Adds a message to a conversation of the workspace. */
  async addMessage(
    callerLike: CallerLike,
    conversationId: string,
    message: { author: ConversationMessageAuthor; text: string },
  ): Promise<{ id: string }> {
    const caller = toCaller(callerLike);
    const id = newId();
    await runInTransaction(this.dataSource, async (manager) => {
      await this.requireConversation(manager, caller.workspaceId, conversationId);
      await insertRows(manager, ConversationMessageEntity, {
        id,
        workspaceId: caller.workspaceId,
        conversationId,
        author: message.author,
        text: message.text,
        createdAt: new Date(),
      });
      await this.audit.record(
        caller.actor,
        this.auditEntry(caller.workspaceId, 'conversation.message', id),
        manager,
      );
    });
    return { id };
  }

  /** Closes a conversation of the workspace (closing a closed one changes nothing). */
  async close(callerLike: CallerLike, conversationId: string): Promise<void> {
    const caller = toCaller(callerLike);
    await runInTransaction(this.dataSource, async (manager) => {
      await this.requireConversation(manager, caller.workspaceId, conversationId);
      await manager.update(
        ConversationEntity,
        { id: conversationId, workspaceId: caller.workspaceId, status: 'open' },
        { status: 'closed', closedAt: new Date() },
      );
      await this.audit.record(
        caller.actor,
        this.auditEntry(caller.workspaceId, 'conversation.close', conversationId),
        manager,
      );
    });
  }

  async listForEndUser(
    workspaceId: string,
    endUserId: string,
    page: KeysetPageRequest,
  ): Promise<KeysetPage<ConversationView>> {
    const postgres = dialectOf(this.dataSource) === 'postgres';
    const keyset = keysetSql(postgres, page, 3);
    const where = postgres
      ? 'workspace_id = $1 AND end_user_id = $2'
      : 'workspace_id = ? AND end_user_id = ?';
    const rows = await this.dataSource.query<ConversationRow[]>(
      `SELECT id, end_user_id, channel, status, created_at, closed_at FROM identity_conversations
       WHERE ${where} AND ${keyset.condition} ORDER BY ${keyset.orderBy} LIMIT ${keyset.fetch}`,
      [workspaceId, endUserId, ...keyset.params],
    );
    return keysetPage(rows.map(viewOf), page, (c) => ({ createdAt: c.createdAt.getTime(), id: c.id }));
  }

  async countOpen(workspaceId: string, endUserId: string, manager?: EntityManager): Promise<number> {
    return (manager ?? this.dataSource.manager).count(ConversationEntity, {
      where: { workspaceId, endUserId, status: 'open' },
    });
  }

  async closeOpen(
    workspaceId: string,
    endUserId: string,
    at: Date,
    manager?: EntityManager,
  ): Promise<number> {
    const result = await (manager ?? this.dataSource.manager).update(
      ConversationEntity,
      { workspaceId, endUserId, status: 'open' },
      { status: 'closed', closedAt: at },
    );
    return result.affected ?? 0;
  }

  async erasePersonalData(workspaceId: string, endUserId: string, manager?: EntityManager): Promise<void> {
    const m = manager ?? this.dataSource.manager;
    const conversations = await m.find(ConversationEntity, {
      select: { id: true },
      where: { workspaceId, endUserId },
    });
    if (conversations.length === 0) {
      return;
    }
    const ids = conversations.map((c) => c.id);
    // Chunks keep the IN lists within SQLite's variable limit for users with very many conversations.
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      await m.update(ConversationMessageEntity, { workspaceId, conversationId: In(chunk) }, { text: null });
      await m.update(ConversationEntity, { workspaceId, id: In(chunk) }, { subject: null });
    }
  }

  async exportForEndUser(workspaceId: string, endUserId: string): Promise<ConversationExport[]> {
    const conversations = await this.dataSource.manager.find(ConversationEntity, {
      where: { workspaceId, endUserId },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    const messages =
      conversations.length === 0
        ? []
        : await this.dataSource.manager.find(ConversationMessageEntity, {
            where: { workspaceId, conversationId: In(conversations.map((c) => c.id)) },
            order: { createdAt: 'ASC', id: 'ASC' },
          });
    return conversations.map((c) => ({
      id: c.id,
      endUserId: c.endUserId,
      channel: c.channel,
      status: c.status,
      subject: c.subject,
      createdAt: c.createdAt,
      closedAt: c.closedAt,
      messages: messages
        .filter((m) => m.conversationId === c.id)
        .map((m) => ({ id: m.id, author: m.author, text: m.text, createdAt: m.createdAt })),
    }));
  }

  private async requireEndUser(
    manager: EntityManager,
    workspaceId: string,
    endUserId: string,
  ): Promise<void> {
    if (!isUuid(endUserId) || !(await manager.existsBy(EndUserEntity, { id: endUserId, workspaceId }))) {
      throw IdentityError.notFound('End user not found.');
    }
  }

  private async requireConversation(manager: EntityManager, workspaceId: string, id: string): Promise<void> {
    const rows = isUuid(id)
      ? await queryRows(manager, 'SELECT id FROM identity_conversations WHERE id = ? AND workspace_id = ?', [
          id,
          workspaceId,
        ])
      : [];
    if (rows.length === 0) {
      throw IdentityError.notFound('Conversation not found.');
    }
  }

  private auditEntry(workspaceId: string, action: string, targetId: string) {
    return { workspaceId, action, targetType: 'conversation', targetId };
  }
}
