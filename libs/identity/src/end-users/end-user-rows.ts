import type { EntityManager } from 'typeorm';
import type { BulkColumn } from '../common/persistence/bulk-statements.js';
import { chunked } from '../common/persistence/bulk-statements.js';
import { dialectOf, instantOf, queryRows } from '../common/persistence/persistence.js';
import type { EndUserEntity } from './end-user.entity.js';
import type { EndUserFields } from './end-user-fields.js';

/** An end user row without its relations: what the services read and write. */
export type EndUserRecord = Omit<EndUserEntity, 'workspace'>;

/** A row of `identity_end_users` as the driver returns it. */
export interface EndUserRow {
  id: string;
  workspace_id: string;
  display_name: string | null;
  email: string | null;
  phone_number: string | null;
  additional_emails: string;
  additional_phone_numbers: string;
  first_name: string | null;
  last_name: string | null;
  middle_names: string;
  avatar_url: string | null;
  external_id: string | null;
  created_at: unknown;
  updated_at: unknown;
  anonymized_at: unknown;
}

/** The columns a read selects, in table order. */
export const END_USER_SELECT =
  'id, workspace_id, display_name, email, phone_number, additional_emails, additional_phone_numbers, ' +
  'first_name, last_name, middle_names, avatar_url, external_id, created_at, updated_at, anonymized_at';

/** Every column, for multi-row INSERT statements (values by `insertValues`). */
export const END_USER_INSERT_COLUMNS: BulkColumn[] = [
  { name: 'id', kind: 'uuid' },
  { name: 'workspace_id', kind: 'uuid' },
  { name: 'display_name', kind: 'text' },
  { name: 'email', kind: 'text' },
  { name: 'phone_number', kind: 'text' },
  { name: 'additional_emails', kind: 'text' },
  { name: 'additional_phone_numbers', kind: 'text' },
  { name: 'first_name', kind: 'text' },
  { name: 'last_name', kind: 'text' },
  { name: 'middle_names', kind: 'text' },
  { name: 'avatar_url', kind: 'text' },
  { name: 'external_id', kind: 'text' },
  { name: 'created_at', kind: 'instant' },
  { name: 'updated_at', kind: 'instant' },
  { name: 'anonymized_at', kind: 'instant' },
];

/** The key and the columns a replace or patch writes, for multi-row UPDATE statements (values by `updateValues`). */
export const END_USER_UPDATE_COLUMNS: BulkColumn[] = [
  { name: 'id', kind: 'uuid' },
  ...END_USER_INSERT_COLUMNS.slice(2, 12),
  { name: 'updated_at', kind: 'instant' },
];

/** A record's values in `END_USER_INSERT_COLUMNS` order (written out: bulk calls make 10,000 of them). */
export function insertValues(r: EndUserRecord): unknown[] {
  return [
    r.id,
    r.workspaceId,
    r.displayName,
    r.email,
    r.phoneNumber,
    JSON.stringify(r.additionalEmails),
    JSON.stringify(r.additionalPhoneNumbers),
    r.firstName,
    r.lastName,
    JSON.stringify(r.middleNames),
    r.avatarUrl,
    r.externalId,
    r.createdAt,
    r.updatedAt,
    r.anonymizedAt,
  ];
}

/** A record's values in `END_USER_UPDATE_COLUMNS` order. */
export function updateValues(r: EndUserRecord): unknown[] {
  return [
    r.id,
    r.displayName,
    r.email,
    r.phoneNumber,
    JSON.stringify(r.additionalEmails),
    JSON.stringify(r.additionalPhoneNumbers),
    r.firstName,
    r.lastName,
    JSON.stringify(r.middleNames),
    r.avatarUrl,
    r.externalId,
    r.updatedAt,
  ];
}

/**
 * A new end user's record from checked fields (those left out are empty), built with one fixed shape
 * rather than by spreading objects: a bulk create makes 10,000 of them.
 */
export function newEndUserRecord(
  id: string,
  workspaceId: string,
  fields: Partial<EndUserFields>,
  now: Date,
): EndUserRecord {
  return {
    id,
    workspaceId,
    displayName: fields.displayName ?? null,
    email: fields.email ?? null,
    phoneNumber: fields.phoneNumber ?? null,
    additionalEmails: fields.additionalEmails ?? [],
    additionalPhoneNumbers: fields.additionalPhoneNumbers ?? [],
    firstName: fields.firstName ?? null,
    lastName: fields.lastName ?? null,
    middleNames: fields.middleNames ?? [],
    avatarUrl: fields.avatarUrl ?? null,
    externalId: fields.externalId ?? null,
    createdAt: now,
    updatedAt: now,
    anonymizedAt: null,
  };
}

function instant(value: unknown): Date | null {
  const ms = instantOf(value);
  return ms === null ? null : new Date(ms);
}

/** A record from a raw row. */
export function recordOf(row: EndUserRow): EndUserRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    displayName: row.display_name,
    email: row.email,
    phoneNumber: row.phone_number,
    additionalEmails: JSON.parse(row.additional_emails) as string[],
    additionalPhoneNumbers: JSON.parse(row.additional_phone_numbers) as string[],
    firstName: row.first_name,
    lastName: row.last_name,
    middleNames: JSON.parse(row.middle_names) as string[],
    avatarUrl: row.avatar_url,
    externalId: row.external_id,
    createdAt: instant(row.created_at) ?? new Date(0),
    updatedAt: instant(row.updated_at) ?? new Date(0),
    anonymizedAt: instant(row.anonymized_at),
  };
}

/**
 * Runs `SELECT … WHERE <where> AND <column> IN <values> <suffix>` for any number of values: one statement
 * with an array parameter (`= ANY($n::uuid[])`) on PostgreSQL, chunks of 500 on SQLite (its variable limit).
 * `where` uses `?` placeholders for `leading`.
 */
export async function selectWhereIn<T>(
  manager: EntityManager,
  query: {
    select: string;
    where: string;
    leading: unknown[];
    column: string;
    type: 'uuid' | 'text';
    suffix?: string;
  },
  values: readonly string[],
): Promise<T[]> {
  if (values.length === 0) {
    return [];
  }
  const { select, where, leading, column, type, suffix = '' } = query;
  if (dialectOf(manager.connection) === 'postgres') {
    return queryRows<T>(manager, `${select} WHERE ${where} AND ${column} = ANY(?::${type}[]) ${suffix}`, [
      ...leading,
      values,
    ]);
  }
  const rows: T[] = [];
  for (const chunk of chunked(values, 500)) {
    const list = chunk.map(() => '?').join(', ');
    rows.push(
      ...(await queryRows<T>(manager, `${select} WHERE ${where} AND ${column} IN (${list}) ${suffix}`, [
        ...leading,
        ...chunk,
      ])),
    );
  }
  return rows;
}

/**
 * The workspace's users with these ids, in id order; locked for the rest of the transaction on
 * PostgreSQL (ids sorted, so concurrent writers lock in the same order and cannot deadlock).
 */
export async function lockEndUsers(
  manager: EntityManager,
  workspaceId: string,
  ids: readonly string[],
): Promise<Map<string, EndUserRecord>> {
  const lock = dialectOf(manager.connection) === 'postgres' ? 'FOR UPDATE' : '';
  const rows = await selectWhereIn<EndUserRow>(
    manager,
    {
      select: `SELECT ${END_USER_SELECT} FROM identity_end_users`,
      where: 'workspace_id = ?',
      leading: [workspaceId],
      column: 'id',
      type: 'uuid',
      suffix: `ORDER BY id ${lock}`,
    },
    [...new Set(ids)].sort(),
  );
  return new Map(rows.map((row) => [row.id, recordOf(row)]));
}
