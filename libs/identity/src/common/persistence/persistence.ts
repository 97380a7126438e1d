import { randomUUID } from 'node:crypto';
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

/** A new primary key; ids are made by the module so bulk inserts and both databases behave alike. */
export function newId(): string {
  return randomUUID();
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
