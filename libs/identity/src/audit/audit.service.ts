import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { insertInChunks } from '../common/persistence/bulk-statements.js';
import { newId, runInTransaction } from '../common/persistence/persistence.js';
import { AuditLogEntity, type AuditActorType } from './audit-log.entity.js';

/** Who is acting; controllers build it from the authenticated credential, host code may pass `SYSTEM_ACTOR`. */
export interface AuditActor {
  type: AuditActorType;
  id: string | null;
  apiUser?: string | null;
}

/** The actor for writes made by host code or the CLI rather than through an HTTP credential. */
export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null };

/** What one audit row records (besides who and when). */
export interface AuditEntry {
  workspaceId: string;
  action: string;
  targetType: string;
  targetId: string | null;
}

/** Writes the audit log; pass the transaction's manager so the entry commits or rolls back with the write. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(actor: AuditActor, entry: AuditEntry, manager?: EntityManager): Promise<void> {
    const row: AuditLogEntity = {
      id: newId(),
      workspaceId: entry.workspaceId,
      actorType: actor.type,
      actorId: actor.id,
      apiUser: actor.apiUser ?? null,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      createdAt: new Date(),
    };
    if (manager) {
      await manager.insert(AuditLogEntity, row);
    } else {
      await runInTransaction(this.dataSource, (own) => own.insert(AuditLogEntity, row));
    }
  }

  /**
   * Records many entries of one actor with multi-row statements (bulk writes); pass the transaction's
   * manager so they commit or roll back with the write.
   */
  async recordMany(actor: AuditActor, entries: readonly AuditEntry[], manager: EntityManager): Promise<void> {
    const createdAt = new Date();
    await insertInChunks(
      manager,
      'identity_audit_log',
      [
        { name: 'id', kind: 'uuid' },
        { name: 'workspace_id', kind: 'uuid' },
        { name: 'actor_type', kind: 'text' },
        { name: 'actor_id', kind: 'text' },
        { name: 'api_user', kind: 'text' },
        { name: 'action', kind: 'text' },
        { name: 'target_type', kind: 'text' },
        { name: 'target_id', kind: 'text' },
        { name: 'created_at', kind: 'instant' },
      ],
      entries.map((entry) => [
        newId(),
        entry.workspaceId,
        actor.type,
        actor.id,
        actor.apiUser ?? null,
        entry.action,
        entry.targetType,
        entry.targetId,
        createdAt,
      ]),
    );
  }

  /** Newest entries of a workspace first. */
  async list(workspaceId: string, limit = 100): Promise<AuditLogEntity[]> {
    return this.dataSource.manager.find(AuditLogEntity, {
      where: { workspaceId },
      order: { createdAt: 'DESC', id: 'DESC' },
      take: Math.min(Math.max(limit, 1), 1000),
    });
  }
}
