import type { EntityManager } from 'typeorm';
import { dialectOf } from './persistence.js';

/**
 * How a column's values travel in a raw statement. PostgreSQL needs the type of a VALUES list spelled
 * out where it cannot infer it (`uuid`, `timestamptz`, `boolean`); SQLite stores instants as the UTC
 * text TypeORM writes and booleans as 0/1.
 */
export type BulkColumnKind = 'text' | 'uuid' | 'instant' | 'boolean' | 'integer';

/** One column of a bulk statement: its name in the table and the kind of its values. */
export interface BulkColumn {
  name: string;
  kind: BulkColumnKind;
}

/**
 * Bound parameters per statement, below both PostgreSQL's 65,535 and SQLite's default 32,766, so a
 * chunk is one round trip on either. Rows per chunk are capped too, to keep statements of a reasonable size.
 */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_CHUNK = 1_000;

/** Rows per statement for a table of `columnCount` bound columns. */
export function rowsPerChunk(columnCount: number): number {
  return Math.max(1, Math.min(MAX_ROWS_PER_CHUNK, Math.floor(MAX_PARAMETERS / columnCount)));
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    chunks.push(items.slice(i, i + size));
  }
  return chunks;
}

/** UTC `YYYY-MM-DD HH:MM:SS.SSS`: how TypeORM stores a `Date` in SQLite, so text comparisons order instants. */
export function sqliteInstant(instant: Date | number): string {
  return new Date(instant).toISOString().replace('T', ' ').replace('Z', '');
}

/** A value as the driver should receive it for a column of this kind. */
export function sqlValue(postgres: boolean, kind: BulkColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (kind === 'instant') {
    const date = value instanceof Date ? value : new Date(value as number | string);
    return postgres ? date.toISOString() : sqliteInstant(date);
  }
  if (kind === 'boolean' && !postgres) {
    return value ? 1 : 0;
  }
  return value;
}

const CAST: Record<BulkColumnKind, string> = {
  text: '',
  uuid: '::uuid',
  instant: '::timestamptz',
  boolean: '::boolean',
  integer: '::integer',
};

/** A placeholder (`$n` with its cast on PostgreSQL, `?` on SQLite). */
function placeholder(postgres: boolean, n: number, kind: BulkColumnKind): string {
  return postgres ? `$${n}${CAST[kind]}` : '?';
}

/** `(?, ?, …), (?, ?, …)` for `rows`, appending the values to `params` in order. */
function valuesList(
  postgres: boolean,
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
  params: unknown[],
): string {
  return rows
    .map((row) => {
      const cells = columns.map((column, i) => {
        params.push(sqlValue(postgres, column.kind, row[i]));
        return placeholder(postgres, params.length, column.kind);
      });
      return `(${cells.join(', ')})`;
    })
    .join(', ');
}

/**
 * Inserts `rows` (arrays of values in `columns` order) with multi-row INSERT statements, as many rows
 * per statement as the parameter limits allow: one round trip per chunk, inside the caller's
 * transaction. TypeORM's `save(array)` / `insert(array)` does far more work per row and trips the
 * 65,535-parameter (PostgreSQL) and variable (SQLite) limits on large batches.
 */
export async function insertInChunks(
  manager: EntityManager,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const postgres = dialectOf(manager.connection) === 'postgres';
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  for (const chunk of chunked(rows, rowsPerChunk(columns.length))) {
    const params: unknown[] = [];
    const values = valuesList(postgres, columns, chunk, params);
    await manager.query(`INSERT INTO "${table}" (${names}) VALUES ${values}`, params);
  }
}

/**
 * Updates many rows, each to its own values, with one multi-row statement per chunk:
 * `WITH v(…) AS (VALUES …) UPDATE t SET … FROM v WHERE t.key = v.key AND t.<scope> = ?` (PostgreSQL, and
 * SQLite 3.33+). `columns[0]` is the key matched against `key`; the others are set. `scope` confines the
 * statement to one tenant (e.g. `{ column: 'workspace_id', value }`), whatever the rows say.
 */
export async function updateInChunks(
  manager: EntityManager,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
  scope: { column: string; value: unknown; kind: BulkColumnKind },
): Promise<void> {
  const postgres = dialectOf(manager.connection) === 'postgres';
  const [key, ...changed] = columns;
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  const assignments = changed.map((c) => `"${c.name}" = v."${c.name}"`).join(', ');
  for (const chunk of chunked(rows, rowsPerChunk(columns.length + 1))) {
    const params: unknown[] = [];
    const values = valuesList(postgres, columns, chunk, params);
    params.push(sqlValue(postgres, scope.kind, scope.value));
    const scopeParam = placeholder(postgres, params.length, scope.kind);
    await manager.query(
      `WITH v (${names}) AS (VALUES ${values}) UPDATE "${table}" SET ${assignments} FROM v ` +
        `WHERE "${table}"."${key.name}" = v."${key.name}" AND "${table}"."${scope.column}" = ${scopeParam}`,
      params,
    );
  }
}
