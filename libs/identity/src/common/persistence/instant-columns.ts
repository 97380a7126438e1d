import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Column, CreateDateColumn, type DataSource, UpdateDateColumn } from 'typeorm';
import { dialectOf } from './persistence.js';

/*
 * Every time the module stores is an instant. TypeORM fixes a column's type from its decorator when a
 * data source builds its metadata, and no type means an instant on both drivers: `Date` (like the
 * create/update-date columns) becomes `timestamp without time zone` on PostgreSQL, which node-pg writes
 * and reads in the process's own zone, while `timestamptz` is refused by the SQLite driver. So these
 * decorators declare `Date` (SQLite: `datetime`, UTC text, unchanged) and mark the column, and
 * `useInstantColumns` makes the marked columns `timestamptz` in a PostgreSQL data source's metadata,
 * matching the zone-safe-time migration.
 */
const instantColumns = new WeakMap<object, Set<string | symbol>>();

function markInstant(target: object, propertyName: string | symbol): void {
  const owner = target.constructor;
  const names = instantColumns.get(owner) ?? new Set();
  names.add(propertyName);
  instantColumns.set(owner, names);
}

/** A column holding an instant (or null): `timestamptz` on PostgreSQL, UTC `datetime` text on SQLite. */
export function InstantColumn(options: { name: string; nullable?: boolean }): PropertyDecorator {
  return (target, propertyName) => {
    Column({ ...options, type: Date })(target, propertyName);
    markInstant(target, propertyName);
  };
}

/** The row's creation instant, set by the database when the insert leaves it out. */
export function CreatedAtColumn(name = 'created_at'): PropertyDecorator {
  return (target, propertyName) => {
    CreateDateColumn({ name })(target, propertyName);
    markInstant(target, propertyName);
  };
}

/** The row's last-update instant, kept current by TypeORM on every save. */
export function UpdatedAtColumn(name = 'updated_at'): PropertyDecorator {
  return (target, propertyName) => {
    UpdateDateColumn({ name })(target, propertyName);
    markInstant(target, propertyName);
  };
}

/**
 * Makes the instant columns `timestamptz` in a PostgreSQL data source's metadata (SQLite's stay as
 * they are), so schema diffs taken after start-up agree with the migrations. Reads and writes do not
 * depend on it: node-pg keeps instants in a `timestamptz` column whatever the metadata says. Idempotent.
 */
export function useInstantColumns(dataSource: DataSource): void {
  if (dialectOf(dataSource) !== 'postgres') {
    return;
  }
  for (const entity of dataSource.entityMetadatas) {
    for (const column of entity.columns) {
      if (
        typeof column.target === 'function' &&
        instantColumns.get(column.target)?.has(column.propertyName)
      ) {
        column.type = 'timestamptz';
      }
    }
  }
}

/** Applies `useInstantColumns` to the module's data source when the module starts. */
@Injectable()
export class InstantColumnsSetup {
  constructor(@InjectDataSource() dataSource: DataSource) {
    useInstantColumns(dataSource);
  }
}
