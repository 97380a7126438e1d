import type { EntityManager } from 'typeorm';
import { IdentityError } from '../common/errors/identity-error.js';
import { dialectOf, queryRows } from '../common/persistence/persistence.js';

/** Zaia's field limits (seed 003), shared by the request DTOs and the services (host code calls these too). */
export const LIMITS = {
  externalId: { min: 3, max: 250 },
  name: { min: 3, max: 50 },
  identifier: { min: 1, max: 250 },
  description: { min: 3, max: 250 },
  prompt: { min: 3, max: 500 },
  search: { min: 0, max: 250 },
} as const;

/** Zaia's page bounds: `pageNumber` ≥ 1 (default 1), `pageSize` 1..100 (default 10). */
export const PAGE = { defaultSize: 10, maxSize: 100, maxNumber: 10_000_000 } as const;

/** A page of a list, as Zaia numbers them. */
export interface PageRequest {
  /** 1 or more; default 1. */
  pageNumber?: number;
  /** 1 to 100; default 10. */
  pageSize?: number;
}

/** The checked page as a row range: `offset` rows to skip, `limit` rows to read. */
export function pageRange(page: PageRequest = {}): { offset: number; limit: number } {
  const pageNumber = page.pageNumber ?? 1;
  const pageSize = page.pageSize ?? PAGE.defaultSize;
  const fields: string[] = [];
  if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > PAGE.maxNumber) {
    fields.push('pageNumber');
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PAGE.maxSize) {
    fields.push('pageSize');
  }
  if (fields.length > 0) {
    throw IdentityError.validation(
      fields
        .map((f) =>
          f === 'pageNumber'
            ? `pageNumber must be a whole number from 1 to ${PAGE.maxNumber}`
            : `pageSize must be a whole number from 1 to ${PAGE.maxSize}`,
        )
        .join('; '),
      fields,
    );
  }
  return { offset: (pageNumber - 1) * pageSize, limit: pageSize };
}

/**
 * Checks text fields against `LIMITS` (undefined is skipped, null is allowed where `nullable` names the
 * field) and throws one validation error naming every offending field.
 */
export function checkText(
  values: Partial<Record<keyof typeof LIMITS, string | null | undefined>>,
  nullable: readonly (keyof typeof LIMITS)[] = [],
): void {
  const problems: string[] = [];
  const fields: string[] = [];
  for (const [field, value] of Object.entries(values) as [keyof typeof LIMITS, unknown][]) {
    if (value === undefined || (value === null && nullable.includes(field))) {
      continue;
    }
    const { min, max } = LIMITS[field];
    if (typeof value !== 'string' || [...value].length < min || [...value].length > max) {
      fields.push(field);
      problems.push(`${field} must be a string of ${min} to ${max} characters`);
    }
  }
  if (fields.length > 0) {
    throw IdentityError.validation(problems.join('; '), fields);
  }
}

/** Checks a tier's message limit: a whole number ≥ 0, or null for unlimited. */
export function checkMessageLimit(value: number | null | undefined): void {
  if (
    value !== undefined &&
    value !== null &&
    (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1)
  ) {
    throw IdentityError.validation('maxAssistantMessages must be a whole number of at least 0, or null', [
      'maxAssistantMessages',
    ]);
  }
}

/** A LIKE pattern matching `text` anywhere, with `%`, `_` and `\` taken literally (`ESCAPE '\'`). */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Inside a transaction, checks that a row of `table` with this id belongs to the workspace and keeps it
 * from being deleted until the transaction ends (`FOR SHARE` on PostgreSQL; SQLite transactions are
 * serialized already). Throws a 404 with `notFound` when there is no such row.
 */
export async function lockReference(
  manager: EntityManager,
  table: string,
  id: string,
  workspaceId: string,
  notFound: string,
): Promise<void> {
  const share = dialectOf(manager.connection) === 'postgres' ? ' FOR SHARE' : '';
  const rows = await queryRows(
    manager,
    `SELECT id FROM "${table}" WHERE id = ? AND workspace_id = ?${share}`,
    [id, workspaceId],
  );
  if (rows.length === 0) {
    throw IdentityError.notFound(notFound);
  }
}

/** Messages of the cases Zaia's clients see; the surface filter passes them through. */
export const MESSAGES = {
  channelNotFound: 'Channel not found.',
  tierNotFound: 'Tier not found.',
  groupNotFound: 'External user group not found.',
  userNotFound: 'External user not found.',
  superIdentityNotFound: 'Super identity not found.',
  groupExternalIdTaken: 'External user group external id already exists in this workspace.',
  userExternalIdTaken: 'External user external id already exists in this channel.',
  userIdentifierTaken: 'External user identifier already exists in this channel.',
  channelInUse: 'Channel still has external users; it cannot be deleted.',
  blocked: 'External user is blocked.',
} as const;
