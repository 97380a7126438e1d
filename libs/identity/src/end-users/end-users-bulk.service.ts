import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type Caller, type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  isDatabaseUnavailable,
} from '../common/persistence/connection-errors.js';
import { insertInChunks, updateInChunks } from '../common/persistence/bulk-statements.js';
import { isUniqueViolation, isUuid, newId, runInTransaction } from '../common/persistence/persistence.js';
import { IdentityEvents } from '../identity.constants.js';
import { checkEndUserFields, EMPTY_END_USER_FIELDS, type EndUserInput } from './end-user-fields.js';
import {
  END_USER_INSERT_COLUMNS,
  END_USER_UPDATE_COLUMNS,
  type EndUserRecord,
  insertValues,
  lockEndUsers,
  newEndUserRecord,
  selectWhereIn,
  updateValues,
} from './end-user-rows.js';

/** Why one item of a bulk call failed (Dixa's `BulkActionFailure` error types). */
export type BulkFailureType =
  'Validation' | 'NotFound' | 'Integrity' | 'Infrastructure' | 'EmptyPatchSet' | 'ErrorResponse';

/** What went wrong with one item; `id` is the item's end user id when it named one. */
export interface BulkFailure {
  type: BulkFailureType;
  id?: string;
  message: string;
  /** The offending fields, for validation failures. */
  fields?: string[];
}

/** The outcome of one item of a bulk call, in the order of the input. */
export type BulkOutcome<T> = { ok: true; data: T } | { ok: false; error: BulkFailure };

/** An item of a replace or patch: the end user's id and its fields. */
export type EndUserUpdateInput = EndUserInput & { id: string };

type Mode = 'create' | 'replace' | 'patch';

/** An item that passed the checks made without the database, waiting for the write. */
interface Planned {
  index: number;
  id: string;
  /** Replace: the full new fields. Create and patch: the fields given (a create leaves the others empty). */
  changes: Partial<EndUserRecord>;
  /** Whether this item sets an external id (the uniqueness check concerns only those). */
  setsExternalId: boolean;
}

/** What one transaction wrote and what it refused, by input index. */
interface WriteResult {
  written: Map<number, EndUserRecord>;
  refused: Map<number, BulkFailure>;
}

const NOT_FOUND = 'End user not found.';
const EXTERNAL_ID_TAKEN = 'externalId: is already used by another end user of this workspace';
const MAX_ATTEMPTS = 3;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Bulk create, replace and patch of end users. Every item gets its own outcome, in input order; a
 * failing item never stops or changes the others. The accepted items are written in one transaction
 * with chunked multi-row statements (one round trip per chunk), with an audit row each.
 */
@Injectable()
export class EndUsersBulkService {
  private readonly logger = new Logger('IdentityModule');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
  ) {}

  /** Creates each item as a new end user (ids and creation times are the module's own). */
  async createMany(
    callerLike: CallerLike,
    items: readonly EndUserInput[],
  ): Promise<BulkOutcome<EndUserRecord>[]> {
    return this.run(toCaller(callerLike), items, 'create');
  }

  /** Replaces each named end user's fields with the item's; fields it leaves out are cleared. */
  async replaceMany(
    callerLike: CallerLike,
    items: readonly EndUserUpdateInput[],
  ): Promise<BulkOutcome<EndUserRecord>[]> {
    return this.run(toCaller(callerLike), items, 'replace');
  }

  /** Changes only the fields each item gives (`null` clears one); an item with none is an `EmptyPatchSet`. */
  async patchMany(
    callerLike: CallerLike,
    items: readonly EndUserUpdateInput[],
  ): Promise<BulkOutcome<EndUserRecord>[]> {
    return this.run(toCaller(callerLike), items, 'patch');
  }

  private async run(
    caller: Caller,
    items: readonly unknown[],
    mode: Mode,
  ): Promise<BulkOutcome<EndUserRecord>[]> {
    if (caller.scope !== 'write') {
      throw IdentityError.forbidden(
        IdentityErrorReason.ReadOnlyKey,
        'This API key is read-only; this call needs a read-write key.',
      );
    }
    const outcomes: BulkOutcome<EndUserRecord>[] = new Array(items.length);
    const fail = (index: number, error: BulkFailure) => {
      outcomes[index] = { ok: false, error };
    };
    const planned = this.plan(items, mode, fail);
    if (planned.length === 0) {
      return outcomes;
    }
    let result: WriteResult;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await runInTransaction(this.dataSource, (manager) =>
          this.write(manager, caller, planned, mode),
        );
        break;
      } catch (err) {
        // A concurrent call took an external id between our check and our write: check again.
        if (isUniqueViolation(err) && attempt < MAX_ATTEMPTS) {
          continue;
        }
        // The connection was lost or refused: the whole call failed (the server rolled it back), not its
        // items, so it is answered 503 with Retry-After rather than as item outcomes.
        if (isDatabaseUnavailable(err)) {
          throw IdentityError.unavailable(
            'The database is unavailable; nothing of this call was written. Try again shortly.',
            DATABASE_RETRY_AFTER_SECONDS,
          );
        }
        this.logger.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
        for (const item of planned) {
          fail(item.index, {
            type: 'Infrastructure',
            id: mode === 'create' ? undefined : item.id,
            message: 'The end user could not be stored; nothing of this call was written. Try again.',
          });
        }
        return outcomes;
      }
    }
    for (const [index, error] of result.refused) {
      fail(index, error);
    }
    const event = mode === 'create' ? IdentityEvents.endUserCreated : IdentityEvents.endUserUpdated;
    for (const [index, record] of result.written) {
      outcomes[index] = { ok: true, data: record };
      this.events.emit(event, { workspaceId: caller.workspaceId, id: record.id });
    }
    return outcomes;
  }

  /** Checks made without the database: shape, fields, ids, empty patches, repeats within the call. */
  private plan(
    items: readonly unknown[],
    mode: Mode,
    fail: (index: number, error: BulkFailure) => void,
  ): Planned[] {
    const planned: Planned[] = [];
    const seenIds = new Set<string>();
    const seenExternalIds = new Set<string>();
    items.forEach((item, index) => {
      if (!isObject(item)) {
        fail(index, { type: 'Validation', message: 'each item must be an object' });
        return;
      }
      let id: string;
      if (mode === 'create') {
        id = newId();
      } else if (isUuid(item.id)) {
        id = item.id.toLowerCase();
      } else {
        fail(index, { type: 'Validation', message: 'id: must be the UUID of an end user', fields: ['id'] });
        return;
      }
      const failure = { id: mode === 'create' ? undefined : id };
      const check = checkEndUserFields(item);
      if (check.problems.length > 0) {
        fail(index, {
          ...failure,
          type: 'Validation',
          message: check.problems.join('; '),
          fields: check.fields,
        });
        return;
      }
      if (mode === 'patch' && Object.keys(check.changes).length === 0) {
        fail(index, {
          ...failure,
          type: 'EmptyPatchSet',
          message: 'The patch changes no field; send at least one end user field besides id.',
        });
        return;
      }
      if (seenIds.has(id)) {
        fail(index, { ...failure, type: 'Integrity', message: 'id: appears more than once in this call' });
        return;
      }
      const changes = mode === 'replace' ? { ...EMPTY_END_USER_FIELDS, ...check.changes } : check.changes;
      const externalId = changes.externalId;
      if (externalId !== undefined && externalId !== null && seenExternalIds.has(externalId)) {
        fail(index, {
          ...failure,
          type: 'Integrity',
          message: 'externalId: appears more than once in this call',
          fields: ['externalId'],
        });
        return;
      }
      seenIds.add(id);
      if (externalId) {
        seenExternalIds.add(externalId);
      }
      planned.push({ index, id, changes, setsExternalId: Boolean(externalId) });
    });
    return planned;
  }

  /**
   * Inside the transaction: loads (and locks) the users to change, refuses missing ones and taken external
   * ids, then writes the rest in chunks with their audit rows. Nothing outside changes until it commits,
   * so a retried attempt starts afresh.
   */
  private async write(
    manager: EntityManager,
    caller: Caller,
    planned: Planned[],
    mode: Mode,
  ): Promise<WriteResult> {
    const { workspaceId } = caller;
    const now = new Date();
    const existing =
      mode === 'create'
        ? new Map<string, EndUserRecord>()
        : await lockEndUsers(
            manager,
            workspaceId,
            planned.map((p) => p.id),
          );
    const holders = await this.externalIdHolders(manager, workspaceId, planned);
    const written = new Map<number, EndUserRecord>();
    const refused = new Map<number, BulkFailure>();
    for (const item of planned) {
      const before = existing.get(item.id);
      if (mode !== 'create' && !before) {
        refused.set(item.index, { type: 'NotFound', id: item.id, message: NOT_FOUND });
        continue;
      }
      const holder = item.setsExternalId ? holders.get(item.changes.externalId as string) : undefined;
      if (holder !== undefined && holder !== item.id) {
        refused.set(item.index, {
          type: 'Integrity',
          id: mode === 'create' ? undefined : item.id,
          message: EXTERNAL_ID_TAKEN,
          fields: ['externalId'],
        });
        continue;
      }
      const record: EndUserRecord = before
        ? { ...before, ...item.changes, updatedAt: now }
        : newEndUserRecord(item.id, workspaceId, item.changes, now);
      written.set(item.index, record);
    }
    const records = [...written.values()];
    if (mode === 'create') {
      await insertInChunks(manager, 'identity_end_users', END_USER_INSERT_COLUMNS, records.map(insertValues));
    } else {
      await updateInChunks(
        manager,
        'identity_end_users',
        END_USER_UPDATE_COLUMNS,
        records.map(updateValues),
        {
          column: 'workspace_id',
          value: workspaceId,
          kind: 'uuid',
        },
      );
    }
    await this.audit.recordMany(
      caller.actor,
      records.map((r) => ({
        workspaceId,
        action: mode === 'create' ? 'end-user.create' : `end-user.${mode}`,
        targetType: 'end_user',
        targetId: r.id,
      })),
      manager,
    );
    return { written, refused };
  }

  /** Which user of the workspace holds each external id the items want to set. */
  private async externalIdHolders(
    manager: EntityManager,
    workspaceId: string,
    planned: Planned[],
  ): Promise<Map<string, string>> {
    const wanted = planned.filter((p) => p.setsExternalId).map((p) => p.changes.externalId as string);
    if (wanted.length === 0) {
      return new Map();
    }
    const rows = await selectWhereIn<{ id: string; external_id: string }>(
      manager,
      {
        select: 'SELECT id, external_id FROM identity_end_users',
        where: 'workspace_id = ?',
        leading: [workspaceId],
        column: 'external_id',
        type: 'text',
      },
      wanted,
    );
    return new Map(rows.map((row) => [row.external_id, row.id]));
  }
}
