import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import {
  dialectOf,
  insertRows,
  isUuid,
  lockRow,
  newId,
  queryRows,
  runInTransaction,
} from '../common/persistence/persistence.js';
import { IdentityEvents } from '../identity.constants.js';
import { AnonymizationRequestEntity } from './anonymization-request.entity.js';
import {
  CONVERSATIONS_REPOSITORY,
  type ConversationsRepository,
} from './conversations/conversations.repository.js';
import { EndUserAttributeValueEntity } from './custom-attributes/end-user-attribute-value.entity.js';
import { EMPTY_END_USER_FIELDS } from './end-user-fields.js';
import { END_USER_PII_FIELDS, EndUserEntity } from './end-user.entity.js';

/** An anonymization request as the seed shows it (plus `processedAt`, set once the data is gone). */
export type AnonymizationRequestView = Omit<AnonymizationRequestEntity, 'workspace'>;

/** Options of `AnonymizationService.anonymize`. */
export interface AnonymizeOptions {
  /** Close the user's open conversations first instead of refusing. */
  force?: boolean;
}

/**
 * Erases an end user's personal data, irreversibly: every PII field of the user (`END_USER_PII_FIELDS`),
 * its custom attribute values, and the personal data of its conversations and messages (through the
 * `CONVERSATIONS_REPOSITORY`). The user row stays, as an anonymous shell with `anonymizedAt`, so
 * conversation history keeps its shape. The audit log records ids only.
 *
 * On SQLite the module turns on `secure_delete` so freed space is zeroed, and checkpoints the WAL after
 * each anonymization, so the old values leave the database files too.
 */
@Injectable()
export class AnonymizationService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONVERSATIONS_REPOSITORY) private readonly conversations: ConversationsRepository,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  async onModuleInit(): Promise<void> {
    if (dialectOf(this.dataSource) === 'sqlite') {
      // Deleted and overwritten values are zeroed in the file instead of lingering in free space.
      await this.dataSource.query('PRAGMA secure_delete = ON');
    }
  }

  /**
   * Anonymizes the workspace's end user and answers the request record. Refused (400) while the user has
   * open conversations, unless `force`, which closes them first. A second call changes nothing and
   * answers the first request.
   */
  async anonymize(
    callerLike: CallerLike,
    endUserId: string,
    options: AnonymizeOptions = {},
  ): Promise<AnonymizationRequestView> {
    const caller = toCaller(callerLike);
    const { workspaceId } = caller;
    const now = new Date();
    const outcome = await runInTransaction(this.dataSource, async (manager) => {
      const user = await this.lockUser(manager, workspaceId, endUserId);
      if (user.anonymizedAt) {
        const previous = await manager.findOne(AnonymizationRequestEntity, {
          where: { workspaceId, targetEntityId: user.id },
          order: { initiatedAt: 'DESC' },
        });
        if (previous) {
          return { request: previous, fresh: false };
        }
      }
      const open = await this.conversations.countOpen(workspaceId, user.id, manager);
      if (open > 0 && !options.force) {
        throw IdentityError.validation(
          `The end user has ${open} open conversation${open === 1 ? '' : 's'}; close ${open === 1 ? 'it' : 'them'} ` +
            'first, or anonymize with force=true to close them now.',
        );
      }
      if (open > 0) {
        await this.conversations.closeOpen(workspaceId, user.id, now, manager);
      }
      await this.conversations.erasePersonalData(workspaceId, user.id, manager);
      await manager.delete(EndUserAttributeValueEntity, { workspaceId, endUserId: user.id });
      const erased = Object.fromEntries(
        END_USER_PII_FIELDS.map((field) => [field, EMPTY_END_USER_FIELDS[field]]),
      );
      await manager.update(
        EndUserEntity,
        { id: user.id, workspaceId },
        { ...erased, anonymizedAt: user.anonymizedAt ?? now, updatedAt: now },
      );
      const request: AnonymizationRequestView = {
        id: newId(),
        workspaceId,
        type: 'User',
        targetEntityId: user.id,
        requestedBy: caller.actor.id,
        initiatedAt: now,
        processedAt: now,
      };
      await insertRows(manager, AnonymizationRequestEntity, request);
      await this.audit.record(
        caller.actor,
        { workspaceId, action: 'end-user.anonymize', targetType: 'end_user', targetId: user.id },
        manager,
      );
      return { request, fresh: true };
    });
    if (outcome.fresh) {
      if (dialectOf(this.dataSource) === 'sqlite') {
        // Moves the erased pages into the database file and empties the write-ahead log of old copies.
        await this.dataSource.query('PRAGMA wal_checkpoint(TRUNCATE)');
      }
      this.events.emit(IdentityEvents.endUserAnonymized, { workspaceId, id: outcome.request.targetEntityId });
    }
    const { workspace: _workspace, ...request } = outcome.request as AnonymizationRequestEntity;
    return request;
  }

  /** The anonymization requests made for an end user of the workspace, oldest first. */
  async requestsFor(callerLike: CallerLike, endUserId: string): Promise<AnonymizationRequestView[]> {
    const { workspaceId } = toCaller(callerLike);
    return isUuid(endUserId)
      ? this.dataSource.manager.find(AnonymizationRequestEntity, {
          where: { workspaceId, targetEntityId: endUserId.toLowerCase() },
          order: { initiatedAt: 'ASC', id: 'ASC' },
        })
      : [];
  }

  private async lockUser(
    manager: EntityManager,
    workspaceId: string,
    endUserId: string,
  ): Promise<{ id: string; anonymizedAt: unknown }> {
    const id = isUuid(endUserId) ? endUserId.toLowerCase() : undefined;
    const [row] = id
      ? await queryRows<{ id: string; anonymized_at: unknown }>(
          manager,
          'SELECT id, anonymized_at FROM identity_end_users WHERE id = ? AND workspace_id = ?',
          [id, workspaceId],
        )
      : [];
    if (!row || !(await lockRow(manager, 'identity_end_users', row.id))) {
      throw IdentityError.notFound('End user not found.');
    }
    return { id: row.id, anonymizedAt: row.anonymized_at };
  }
}
