import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { type CallerLike, toCaller } from '../audit/caller.js';
import { IdentityError, IdentityErrorCode, IdentityErrorReason } from '../common/errors/identity-error.js';
import { IdentityEventsPublisher } from '../common/events/identity-events.js';
import { type KeysetPageRequest, keysetPage, keysetSql, PageKeys } from '../common/pagination/keyset.js';
import {
  dialectOf,
  isUuid,
  lockRow,
  queryRows,
  runInTransaction,
} from '../common/persistence/persistence.js';
import { IdentityEvents } from '../identity.constants.js';
import {
  CONVERSATIONS_REPOSITORY,
  type ConversationsRepository,
  type ConversationView,
} from './conversations/conversations.repository.js';
import {
  type CustomAttributeValueView,
  CustomAttributesService,
} from './custom-attributes/custom-attributes.service.js';
import { type EndUserInput, normalizeEmail, normalizePhoneNumber } from './end-user-fields.js';
import { END_USER_SELECT, type EndUserRecord, type EndUserRow, recordOf } from './end-user-rows.js';
import { type BulkOutcome, EndUsersBulkService } from './end-users-bulk.service.js';

/** An end user with its custom attribute values: the answer of single-user calls. */
export type EndUserView = EndUserRecord & { customAttributes: CustomAttributeValueView[] };

/** Page size of `GET /endusers` when `pageLimit` is not given, and the largest allowed. */
export const END_USERS_PAGE_LIMIT = { default: 100, max: 500 } as const;

/** Filters and paging of `EndUsersService.list`; `email` and `phone` exclude each other, as in the seed. */
export interface ListEndUsersQuery {
  pageLimit?: number;
  /** The opaque key of a page, from a previous answer. */
  pageKey?: string;
  email?: string;
  phone?: string;
  externalId?: string;
}

/** One page of a list and the opaque keys of the neighbouring pages. */
export interface KeyedPage<T> {
  items: T[];
  pageLimit: number;
  nextPageKey?: string;
  previousPageKey?: string;
}

/** One page of end users (without custom attributes). */
export type EndUserPage = KeyedPage<EndUserRecord>;

/** Paging of `EndUsersService.conversationsOf`. */
export interface PageQuery {
  pageLimit?: number;
  pageKey?: string;
}

const NOT_FOUND = 'End user not found.';

function checkPageLimit(value: number | undefined): number {
  const pageLimit = value ?? END_USERS_PAGE_LIMIT.default;
  if (!Number.isInteger(pageLimit) || pageLimit < 1 || pageLimit > END_USERS_PAGE_LIMIT.max) {
    throw IdentityError.validation(
      `pageLimit: must be a whole number from 1 to ${END_USERS_PAGE_LIMIT.max}`,
      ['pageLimit'],
    );
  }
  return pageLimit;
}

/** The single outcome of a one-item bulk call, or the error a single call answers with. */
function unwrap(outcome: BulkOutcome<EndUserRecord>): EndUserRecord {
  if (outcome.ok) {
    return outcome.data;
  }
  const { type, message, fields } = outcome.error;
  switch (type) {
    case 'NotFound':
      throw IdentityError.notFound(NOT_FOUND);
    case 'Integrity':
      throw IdentityError.conflict(message);
    case 'Infrastructure':
      throw new IdentityError(IdentityErrorCode.Internal, IdentityErrorReason.Internal, message);
    default:
      throw IdentityError.validation(message, fields);
  }
}

/**
 * Dixa's end users, one at a time: create, read, replace, patch, delete and the keyset-paged list.
 * Writes share the bulk service's rules and statements, so a single call and a bulk item behave alike.
 */
@Injectable()
export class EndUsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bulk: EndUsersBulkService,
    private readonly customAttributes: CustomAttributesService,
    private readonly pageKeys: PageKeys,
    private readonly audit: AuditService,
    private readonly events: IdentityEventsPublisher,
    @Inject(CONVERSATIONS_REPOSITORY) private readonly conversations: ConversationsRepository,
  ) {}

  /** Creates an end user; `id` and `createdAt` are the module's own. A taken `externalId` is a conflict. */
  async create(callerLike: CallerLike, input: EndUserInput): Promise<EndUserView> {
    const [outcome] = await this.bulk.createMany(callerLike, [input]);
    return { ...unwrap(outcome), customAttributes: [] };
  }

  /** The end user with its custom attribute values; another workspace's id is not found. */
  async get(callerLike: CallerLike, id: string): Promise<EndUserView> {
    const caller = toCaller(callerLike);
    const record = await this.find(caller.workspaceId, id);
    return { ...record, customAttributes: await this.customAttributes.valuesOf(caller, record.id) };
  }

  /** Replaces every field; the ones `input` leaves out are cleared. */
  async replace(callerLike: CallerLike, id: string, input: EndUserInput): Promise<EndUserView> {
    return this.change(callerLike, id, input, 'replace');
  }

  /** Changes only the fields `changes` gives; `null` clears one. */
  async update(callerLike: CallerLike, id: string, changes: EndUserInput): Promise<EndUserView> {
    return this.change(callerLike, id, changes, 'patch');
  }

  /** Deletes the end user with its custom attribute values and conversations. */
  async delete(callerLike: CallerLike, id: string): Promise<void> {
    const caller = toCaller(callerLike);
    const { workspaceId } = caller;
    await this.find(workspaceId, id);
    await runInTransaction(this.dataSource, async (manager) => {
      if (!(await lockRow(manager, 'identity_end_users', id))) {
        throw IdentityError.notFound(NOT_FOUND);
      }
      await manager.query(
        dialectOf(manager.connection) === 'postgres'
          ? 'DELETE FROM identity_end_users WHERE id = $1 AND workspace_id = $2'
          : 'DELETE FROM identity_end_users WHERE id = ? AND workspace_id = ?',
        [id, workspaceId],
      );
      await this.audit.record(
        caller.actor,
        { workspaceId, action: 'end-user.delete', targetType: 'end_user', targetId: id },
        manager,
      );
    });
    this.events.emit(IdentityEvents.endUserDeleted, { workspaceId, id });
  }

  /**
   * One page of the workspace's end users in creation order, filtered by `email` or `phone` (not both)
   * and `externalId`. Pages by keyset on `(createdAt, id)`: the cost of a page does not grow with depth.
   */
  async list(callerLike: CallerLike, query: ListEndUsersQuery = {}): Promise<EndUserPage> {
    const { workspaceId } = toCaller(callerLike);
    if (query.email !== undefined && query.phone !== undefined) {
      throw IdentityError.validation(
        'email and phone are mutually exclusive: filter by one of them, not both',
        ['email', 'phone'],
      );
    }
    const pageLimit = query.pageLimit ?? END_USERS_PAGE_LIMIT.default;
    if (!Number.isInteger(pageLimit) || pageLimit < 1 || pageLimit > END_USERS_PAGE_LIMIT.max) {
      throw IdentityError.validation(
        `pageLimit: must be a whole number from 1 to ${END_USERS_PAGE_LIMIT.max}`,
        ['pageLimit'],
      );
    }
    const filters: [column: string, value: string][] = [];
    if (query.email !== undefined) {
      const email = normalizeEmail(query.email);
      if (email === undefined) {
        throw IdentityError.validation('email: must be an email address', ['email']);
      }
      filters.push(['email', email]);
    }
    if (query.phone !== undefined) {
      const phone = normalizePhoneNumber(query.phone);
      if (phone === undefined) {
        throw IdentityError.validation(
          'phone: must be a phone number in international format, e.g. +4512345678',
          ['phone'],
        );
      }
      filters.push(['phone_number', phone]);
    }
    if (query.externalId !== undefined) {
      filters.push(['external_id', query.externalId]);
    }
    // A page key works only for the list (workspace and filters) that made it.
    const scope = `endusers\n${workspaceId}\n${JSON.stringify(filters)}`;
    const request: KeysetPageRequest = query.pageKey
      ? this.pageKeys.decode(scope, query.pageKey, pageLimit)
      : { limit: pageLimit };
    const postgres = dialectOf(this.dataSource) === 'postgres';
    const param = (n: number) => (postgres ? `$${n}` : '?');
    const where = [
      `workspace_id = ${param(1)}`,
      ...filters.map(([column], i) => `${column} = ${param(i + 2)}`),
    ];
    const keyset = keysetSql(postgres, request, filters.length + 2);
    const rows = await this.dataSource.query<EndUserRow[]>(
      `SELECT ${END_USER_SELECT} FROM identity_end_users WHERE ${where.join(' AND ')} AND ${keyset.condition}
       ORDER BY ${keyset.orderBy} LIMIT ${keyset.fetch}`,
      [workspaceId, ...filters.map(([, value]) => value), ...keyset.params],
    );
    const page = keysetPage(rows.map(recordOf), request, (r) => ({
      createdAt: r.createdAt.getTime(),
      id: r.id,
    }));
    return {
      items: page.items,
      pageLimit,
      nextPageKey: page.next && this.pageKeys.encode(scope, 'next', page.next),
      previousPageKey: page.previous && this.pageKeys.encode(scope, 'previous', page.previous),
    };
  }

  /** One page of the conversations the workspace's end user requested, oldest first. */
  async conversationsOf(
    callerLike: CallerLike,
    endUserId: string,
    query: PageQuery = {},
  ): Promise<KeyedPage<ConversationView>> {
    const { workspaceId } = toCaller(callerLike);
    const pageLimit = checkPageLimit(query.pageLimit);
    const user = await this.find(workspaceId, endUserId);
    const scope = `conversations\n${workspaceId}\n${user.id}`;
    const request: KeysetPageRequest = query.pageKey
      ? this.pageKeys.decode(scope, query.pageKey, pageLimit)
      : { limit: pageLimit };
    const page = await this.conversations.listForEndUser(workspaceId, user.id, request);
    return {
      items: page.items,
      pageLimit,
      nextPageKey: page.next && this.pageKeys.encode(scope, 'next', page.next),
      previousPageKey: page.previous && this.pageKeys.encode(scope, 'previous', page.previous),
    };
  }

  /** The workspace's end user by id, without attributes; anything else is not found. */
  async find(workspaceId: string, id: string): Promise<EndUserRecord> {
    const [row] = isUuid(id)
      ? await queryRows<EndUserRow>(
          this.dataSource,
          `SELECT ${END_USER_SELECT} FROM identity_end_users WHERE id = ? AND workspace_id = ?`,
          [id.toLowerCase(), workspaceId],
        )
      : [];
    if (!row) {
      throw IdentityError.notFound(NOT_FOUND);
    }
    return recordOf(row);
  }

  private async change(
    callerLike: CallerLike,
    id: string,
    input: EndUserInput,
    mode: 'replace' | 'patch',
  ): Promise<EndUserView> {
    const caller = toCaller(callerLike);
    if (!isUuid(id)) {
      throw IdentityError.notFound(NOT_FOUND);
    }
    const item = { ...input, id };
    const [outcome] =
      mode === 'replace'
        ? await this.bulk.replaceMany(caller, [item])
        : await this.bulk.patchMany(caller, [item]);
    const record = unwrap(outcome);
    return { ...record, customAttributes: await this.customAttributes.valuesOf(caller, record.id) };
  }
}
