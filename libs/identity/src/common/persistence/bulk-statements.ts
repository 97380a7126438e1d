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
 * Bound parameters per SQLite statement, below its default limit of 32,766 variables; rows per chunk are
 * capped too, to keep statements of a reasonable size.
 */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_CHUNK = 1_000;

/** Rows per SQLite statement for a table of `columnCount` bound columns. */
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

// Bulk rows share their instants: the last one is kept formatted, both ways.
let lastInstant = NaN;
let lastInstantIso = '';
let lastInstantSqlite = '';

function formatInstant(ms: number): void {
  if (ms !== lastInstant) {
    lastInstantIso = new Date(ms).toISOString();
    lastInstantSqlite = lastInstantIso.replace('T', ' ').replace('Z', '');
    lastInstant = ms;
  }
}

/** UTC `YYYY-MM-DD HH:MM:SS.SSS`: how TypeORM stores a `Date` in SQLite, so text comparisons order instants. */
export function sqliteInstant(instant: Date | number): string {
  formatInstant(typeof instant === 'number' ? instant : instant.getTime());
  return lastInstantSqlite;
}

/** A value as the driver should receive it for a column of this kind. */
export function sqlValue(postgres: boolean, kind: BulkColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  if (kind === 'instant') {
    const ms = value instanceof Date ? value.getTime() : new Date(value as number | string).getTime();
    formatInstant(ms);
    return postgres ? lastInstantIso : lastInstantSqlite;
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

const ARRAY_TYPE: Record<BulkColumnKind, string> = {
  text: 'text[]',
  uuid: 'uuid[]',
  instant: 'timestamptz[]',
  boolean: 'boolean[]',
  integer: 'integer[]',
};

/** Rows per PostgreSQL statement: one array parameter per column, so only memory bounds it. */
const POSTGRES_ROWS_PER_STATEMENT = 5_000;

/**
 * PostgreSQL: the rows as one array parameter per column and `unnest($1::uuid[], $2::text[], …)`, which
 * PostgreSQL reads as a table. A handful of parameters instead of one per cell: far less to bind and plan
 * than a VALUES list, and no 65,535-parameter limit.
 */
function unnestColumns(
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
  params: unknown[],
): string {
  const arrays = columns.map((column, i) => {
    params.push(postgresArrayLiteral(rows.map((row) => sqlValue(true, column.kind, row[i]))));
    return `$${params.length}::${ARRAY_TYPE[column.kind]}`;
  });
  return `unnest(${arrays.join(', ')})`;
}

const ARRAY_ELEMENT_SPECIALS = /["\\]/;
const ARRAY_ELEMENT_SPECIALS_ALL = /["\\]/g;

/**
 * A PostgreSQL array literal of the values, e.g. `{"a","say \"hi\"",NULL}`: every element double-quoted,
 * `"` and `\` escaped by a backslash (the array input syntax). node-postgres builds the same text from a
 * JS array, but with two regex replacements per element; a bulk statement has some 75,000 elements.
 */
export function postgresArrayLiteral(values: readonly unknown[]): string {
  let literal = '{';
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) {
      literal += ',';
    }
    if (value === null || value === undefined) {
      literal += 'NULL';
      continue;
    }
    const text =
      typeof value === 'string'
        ? value
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value as number | boolean | bigint);
    literal += ARRAY_ELEMENT_SPECIALS.test(text)
      ? `"${text.replace(ARRAY_ELEMENT_SPECIALS_ALL, '\\$&')}"`
      : `"${text}"`;
  }
  return `${literal}}`;
}

/** SQLite: `(?, ?, …), (?, ?, …)` for `rows`, appending the values to `params` in order. */
function valuesList(
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
  params: unknown[],
): string {
  return rows
    .map(
      (row) =>
        `(${columns.map((column, i) => (params.push(sqlValue(false, column.kind, row[i])), '?')).join(', ')})`,
    )
    .join(', ');
}

/**
 * Inserts `rows` (arrays of values in `columns` order) with multi-row statements inside the caller's
 * transaction, one round trip per chunk: `INSERT … SELECT * FROM unnest(…)` of up to 5,000 rows on
 * PostgreSQL, `INSERT … VALUES (…), (…)` of as many rows as the variable limit allows on SQLite.
 * TypeORM's `save(array)` / `insert(array)` does far more work per row and trips the 65,535-parameter
 * (PostgreSQL) and variable (SQLite) limits on large batches.
 */
export async function insertInChunks(
  manager: EntityManager,
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  const postgres = dialectOf(manager.connection) === 'postgres';
  const names = columns.map((c) => `"${c.name}"`).join(', ');
  if (postgres) {
    for (const chunk of chunked(rows, POSTGRES_ROWS_PER_STATEMENT)) {
      const params: unknown[] = [];
      const source = unnestColumns(columns, chunk, params);
      await manager.query(`INSERT INTO "${table}" (${names}) SELECT * FROM ${source}`, params);
    }
    return;
  }
  for (const chunk of chunked(rows, rowsPerChunk(columns.length))) {
    const params: unknown[] = [];
    const values = valuesList(columns, chunk, params);
    await manager.query(`INSERT INTO "${table}" (${names}) VALUES ${values}`, params);
  }
}

/**
 * Updates many rows, each to its own values, with one statement per chunk: `UPDATE t SET … FROM
 * unnest(…) AS v` on PostgreSQL, `WITH v(…) AS (VALUES …) UPDATE t SET … FROM v` on SQLite (3.33+), both
 * `WHERE t.key = v.key AND t.<scope> = <scope value>`. `columns[0]` is the key; the others are set.
 * `scope` confines the statement to one tenant (e.g. `workspace_id`), whatever the rows say.
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
  const where = (scopeParam: string) =>
    `WHERE "${table}"."${key.name}" = v."${key.name}" AND "${table}"."${scope.column}" = ${scopeParam}`;
  if (postgres) {
    for (const chunk of chunked(rows, POSTGRES_ROWS_PER_STATEMENT)) {
      const params: unknown[] = [];
      const source = unnestColumns(columns, chunk, params);
      params.push(sqlValue(true, scope.kind, scope.value));
      await manager.query(
        `UPDATE "${table}" SET ${assignments} FROM ${source} AS v (${names}) ${where(`$${params.length}${CAST[scope.kind]}`)}`,
        params,
      );
    }
    return;
  }
  for (const chunk of chunked(rows, rowsPerChunk(columns.length + 1))) {
    const params: unknown[] = [];
    const values = valuesList(columns, chunk, params);
    params.push(sqlValue(false, scope.kind, scope.value));
    await manager.query(
      `WITH v (${names}) AS (VALUES ${values}) UPDATE "${table}" SET ${assignments} FROM v ${where('?')}`,
      params,
    );
  }
}
