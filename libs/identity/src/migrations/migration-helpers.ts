import type { QueryRunner, TableColumnOptions } from 'typeorm';

/** Column builders that pick each database's own type, so one migration serves PostgreSQL and SQLite. */
export function columnsFor(queryRunner: QueryRunner) {
  const postgres = queryRunner.connection.options.type === 'postgres';
  const column = (options: TableColumnOptions): TableColumnOptions => options;
  return {
    id: (name = 'id'): TableColumnOptions =>
      column({ name, type: postgres ? 'uuid' : 'varchar', isPrimary: true }),
    uuid: (name: string, nullable = false): TableColumnOptions =>
      column({ name, type: postgres ? 'uuid' : 'varchar', isNullable: nullable }),
    varchar: (name: string, length: number, nullable = false): TableColumnOptions =>
      column({ name, type: 'varchar', length: String(length), isNullable: nullable }),
    text: (name: string, nullable = false): TableColumnOptions =>
      column({ name, type: 'text', isNullable: nullable }),
    integer: (name: string, nullable = false): TableColumnOptions =>
      column({ name, type: 'integer', isNullable: nullable }),
    boolean: (name: string, defaultValue: boolean): TableColumnOptions =>
      column({
        name,
        type: 'boolean',
        isNullable: false,
        default: postgres ? String(defaultValue) : defaultValue ? 1 : 0,
      }),
    /**
     * Zone-less on PostgreSQL, as the first migrations made their columns (1764000000002 turns them
     * into `timestamptz`); a new time column needs `timestamptz` there, like `InstantColumn`.
     */
    timestamp: (name: string, nullable = false): TableColumnOptions =>
      column({ name, type: postgres ? 'timestamp' : 'datetime', isNullable: nullable }),
    /** A creation time defaulting to now; zone-less on PostgreSQL like `timestamp`. */
    createdAt: (name = 'created_at'): TableColumnOptions =>
      column({
        name,
        type: postgres ? 'timestamp' : 'datetime',
        isNullable: false,
        default: postgres ? 'now()' : "datetime('now')",
      }),
    /** A creation instant defaulting to now: `timestamptz` on PostgreSQL (new tables since 1764000000002). */
    createdInstant: (name = 'created_at'): TableColumnOptions =>
      column({
        name,
        type: postgres ? 'timestamptz' : 'datetime',
        isNullable: false,
        default: postgres ? 'now()' : "datetime('now')",
      }),
    /** A foreign key named `fk_<table>_<what>` that deletes this row with the row it points at. */
    cascadingForeignKey: (table: string, what: string, column: string, referencedTable: string) => ({
      name: `fk_${table}_${what}`,
      columnNames: [column],
      referencedTableName: referencedTable,
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    }),
  };
}
