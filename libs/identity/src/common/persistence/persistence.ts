import { createHash, randomFillSync } from 'node:crypto';
import type pg from 'pg';
import {
  type DataSource,
  type EntityManager,
  type EntityTarget,
  type FindOptionsWhere,
  type ObjectLiteral,
  QueryFailedError,
} from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/** True when a write failed on a unique index, on PostgreSQL (23505) or SQLite (SQLITE_CONSTRAINT_UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  if (!(err instanceof QueryFailedError)) {
    return false;
  }
  const driverError = err.driverError as { code?: string } | undefined;
  return driverError?.code === '23505' || driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE';
}

let lastIdMs = 0;
let idSequence = 0;

/**
 * Random bytes for ids, drawn from the CSPRNG a pool at a time: one `randomFillSync` per 512 ids instead
 * of two `randomBytes` calls per id (each a trip into OpenSSL; they dominated a bulk create's id cost).
 */
const ID_POOL = Buffer.alloc(16 * 512);
let idPoolOffset = ID_POOL.length;

function randomIdBytes(): Buffer {
  if (idPoolOffset === ID_POOL.length) {
    randomFillSync(ID_POOL);
    idPoolOffset = 0;
  }
  idPoolOffset += 16;
  return ID_POOL.subarray(idPoolOffset - 16, idPoolOffset);
}

/**
 * A new primary key: a UUIDv7 (time-ordered, RFC 9562) with a 12-bit counter, so ids made in one
 * process sort in creation order even within one millisecond, and `(createdAt, id)` orders are stable.
 * Ids are made by the module so bulk inserts and both databases behave alike.
 */
export function newId(): string {
  const bytes = randomIdBytes();
  const now = Date.now();
  if (now > lastIdMs) {
    lastIdMs = now;
    idSequence = ((bytes[6] << 8) | bytes[7]) & 0x7ff; // leaves room to count up within the ms
  } else if (++idSequence > 0xfff) {
    lastIdMs += 1; // borrow the next millisecond rather than repeat or reorder
    idSequence = 0;
  }
  bytes.writeUIntBE(lastIdMs, 0, 6);
  bytes[6] = 0x70 | (idSequence >> 8);
  bytes[7] = idSequence & 0xff;
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** True for a well-formed UUID; ids from a URL are checked before they reach a query (PostgreSQL rejects bad uuids). */
export function isUuid(value: unknown): value is string {
  return (
    typeof value === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
  );
}

/** The SQL dialect family of a data source. */
export function dialectOf(dataSource: DataSource): 'postgres' | 'sqlite' {
  const type = dataSource.options.type;
  if (type === 'postgres') {
    return 'postgres';
  }
  if (type === 'better-sqlite3') {
    return 'sqlite';
  }
  throw new Error(
    `nestjs-identity supports PostgreSQL and SQLite (better-sqlite3); this data source is '${type}'`,
  );
}

/** A JSON object, as stored in `simple-json` columns. */
export type JsonObject = Record<string, unknown>;

/**
 * Inserts whole entity rows in one statement. (TypeORM's insert type cannot express JSON columns of
 * `unknown` values; the rows are complete entities, so nothing is lost by the cast.)
 */
export async function insertRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  rows: T | T[],
): Promise<void> {
  await manager.insert(target, rows as unknown as QueryDeepPartialEntity<T>);
}

/** Updates columns of the rows matching `where`; same typing note as `insertRows`. */
export async function updateRows<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  where: FindOptionsWhere<T>,
  changes: Partial<T>,
): Promise<number> {
  const result = await manager.update(target, where, changes as unknown as QueryDeepPartialEntity<T>);
  return result.affected ?? 0;
}

const sqliteQueues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `work` in one transaction. better-sqlite3 gives TypeORM a single connection and TypeORM does not
 * queue transactions on it, so two overlapping ones fail ("cannot start a transaction within a
 * transaction") and the failing one's rollback undoes the other's. On SQLite, transactions of a data
 * source therefore run one after another; on PostgreSQL each gets its own pooled connection.
 * Every write of the module goes through it, single statements too, so none lands inside (and rolls
 * back with) another's transaction. Do not nest calls: pass the manager down instead. A host on SQLite
 * that writes to the same data source concurrently should run its own transactions through it too.
 */
export function runInTransaction<T>(
  dataSource: DataSource,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  if (dialectOf(dataSource) !== 'sqlite') {
    return dataSource.transaction(work);
  }
  const previous = sqliteQueues.get(dataSource) ?? Promise.resolve();
  const result = previous.then(() => dataSource.transaction(work));
  sqliteQueues.set(
    dataSource,
    result.catch(() => undefined),
  );
  return result;
}

/**
 * Inside a transaction, locks one row by id (`FOR UPDATE` on PostgreSQL; SQLite transactions are
 * already serialized) and says whether it still exists. Writers that touch a parent and its children
 * lock the parent first, so they always take locks in the same order and cannot deadlock.
 */
export async function lockRow(manager: EntityManager, table: string, id: string): Promise<boolean> {
  const postgres = dialectOf(manager.connection) === 'postgres';
  const rows: unknown[] = await manager.query(
    postgres
      ? `SELECT id FROM "${table}" WHERE id = $1 FOR UPDATE`
      : `SELECT id FROM "${table}" WHERE id = ?`,
    [id],
  );
  return rows.length > 0;
}

/** A prepared better-sqlite3 statement, as far as `queryRows` uses it. */
interface SqliteStatement {
  reader: boolean;
  all(...params: unknown[]): unknown[];
}

/** What a `?` query is on PostgreSQL: its `$n` text and the name it is prepared under. */
interface PostgresStatement {
  text: string;
  name: string;
}

/** Each query's PostgreSQL statement, and its prepared SQLite statement per connection, made once. */
const MAX_KEPT_STATEMENTS = 256;
const postgresStatements = new Map<string, PostgresStatement>();
const sqliteStatements = new WeakMap<object, Map<string, SqliteStatement>>();
const unpreparedSources = new WeakSet<object>();

/**
 * Lean lookups on this data source send their SQL unnamed, parsed and planned on every call, instead of
 * as named prepared statements (one parse and plan per pooled connection). For PostgreSQL behind a
 * pooler in transaction mode that does not keep prepared statements (PgBouncer before 1.21, or without
 * `max_prepared_statements`): the module's `preparedStatements: false`.
 */
export function disablePreparedStatements(dataSource: DataSource): void {
  unpreparedSources.add(dataSource);
}

/** `map`'s value for `key`, else `make()`'s, kept; past 256 entries it starts over, so SQL built with a
 * varying number of placeholders cannot grow it forever. */
function kept<V>(map: Map<string, V>, key: string, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    if (map.size >= MAX_KEPT_STATEMENTS) {
      map.clear();
    }
    map.set(key, value);
  }
  return value;
}

function postgresStatement(sql: string): PostgresStatement {
  return kept(postgresStatements, sql, () => {
    let n = 0;
    const text = sql.replace(/\?/g, () => `$${++n}`);
    return { text, name: `identity_${createHash('sha1').update(text).digest('hex').slice(0, 16)}` };
  });
}

function sqliteStatement(
  connection: { prepare(sql: string): SqliteStatement },
  sql: string,
): SqliteStatement {
  let statements = sqliteStatements.get(connection);
  if (!statements) {
    statements = new Map();
    sqliteStatements.set(connection, statements);
  }
  return kept(statements, sql, () => connection.prepare(sql));
}

/**
 * One raw read with `?` placeholders (numbered `$n` on PostgreSQL), answering plain rows: the lean path
 * for lookups on every request (token checks), without query builder or entity hydration. Outside a
 * transaction it goes straight to the driver (the pg pool with a named prepared statement, so each
 * connection parses and plans it once: a three-table token lookup re-planned per call halved a cold
 * guard's throughput; a prepared better-sqlite3 statement, run synchronously), skipping TypeORM's
 * query runner (and its subscribers' query events); the data source's logger still sees the query and any failure, and a failure is still a `QueryFailedError`.
 * Inside a transaction (a manager with a query runner) it runs on that transaction. Every `?` is a
 * placeholder: keep literals containing `?` out of the SQL. Each SQL text is prepared once and kept
 * (up to 256 of them).
 */
export async function queryRows<T>(
  dataSource: DataSource | EntityManager,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const manager = 'manager' in dataSource ? dataSource.manager : dataSource;
  const connection = manager.connection;
  const postgres = dialectOf(connection) === 'postgres';
  const statement = postgres ? postgresStatement(sql) : undefined;
  const text = statement?.text ?? sql;
  if (manager.queryRunner || !params.every((p) => typeof p === 'string' || typeof p === 'number')) {
    return (await manager.query(text, params)) as T[];
  }
  const driver = connection.driver as { master?: pg.Pool; databaseConnection?: unknown };
  try {
    if (statement && driver.master) {
      connection.logger.logQuery(text, params);
      const query = unpreparedSources.has(connection)
        ? { text, values: params }
        : { name: statement.name, text, values: params };
      return (await driver.master.query(query)).rows as T[];
    }
    const database = driver.databaseConnection as { prepare(sql: string): SqliteStatement } | undefined;
    if (!postgres && database) {
      const prepared = sqliteStatement(database, sql);
      if (prepared.reader) {
        connection.logger.logQuery(text, params);
        return prepared.all(...params) as T[];
      }
    }
  } catch (err) {
    connection.logger.logQueryError(err as Error, text, params);
    throw new QueryFailedError(text, params, err as Error);
  }
  return (await manager.query(text, params)) as T[];
}

/** `?, ?, ?`: one placeholder per value, for `IN (…)` with `queryRows`. */
export function placeholders(values: readonly unknown[]): string {
  return values.map(() => '?').join(', ');
}

/**
 * An instant read from a raw row: PostgreSQL hands a Date (or, if a host installed a string type
 * parser, text like `2020-01-01 10:00:00.123+00`), SQLite the UTC text TypeORM wrote
 * (`YYYY-MM-DD HH:MM:SS.SSS`). Epoch ms (NaN when unreadable: callers must fail closed), or null.
 */
export function instantOf(value: unknown): number | null {
  if (value === null || value === undefined) {
    return null;
  }
  if (value instanceof Date) {
    return value.getTime();
  }
  const text = String(value).trim().replace(' ', 'T');
  const offset = /([+-])(\d\d)(?::?(\d\d))?$/.exec(text);
  if (offset && text.includes('T')) {
    // PostgreSQL may send `+00` or `+0530`; Date.parse wants `+00:00`.
    return Date.parse(`${text.slice(0, offset.index)}${offset[1]}${offset[2]}:${offset[3] ?? '00'}`);
  }
  return Date.parse(/z$/i.test(text) ? text : `${text}Z`);
}
