import { randomUUID } from 'node:crypto';
import { type DataSource, QueryFailedError } from 'typeorm';

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
