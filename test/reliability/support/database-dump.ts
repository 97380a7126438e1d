import type { DataSource } from 'typeorm';

/** Every row of one table, as plain objects. */
export interface TableDump {
  table: string;
  rows: Record<string, unknown>[];
}

const isPostgres = (ds: DataSource) => ds.options.type === 'postgres';

/** The app's tables (migrations bookkeeping included: a secret has no business there either). */
export async function tableNames(ds: DataSource): Promise<string[]> {
  const rows: { name: string }[] = isPostgres(ds)
    ? await ds.query(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`,
      )
    : await ds.query(
        `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1`,
      );
  return rows.map((r) => r.name);
}

/** Every table's rows. */
export async function dumpDatabase(ds: DataSource): Promise<TableDump[]> {
  const dumps: TableDump[] = [];
  for (const table of await tableNames(ds)) {
    dumps.push({ table, rows: await ds.query(`SELECT * FROM "${table}"`) });
  }
  return dumps;
}

/** A cell as text, whatever its type (Buffers as UTF-8, hex and base64, so an encoded secret is seen too). */
export function cellTexts(value: unknown): string[] {
  if (value === null || value === undefined) {
    return [];
  }
  if (Buffer.isBuffer(value)) {
    return [value.toString('utf8'), value.toString('hex'), value.toString('base64')];
  }
  if (value instanceof Date) {
    return [value.toISOString()];
  }
  return [typeof value === 'object' ? JSON.stringify(value) : String(value)];
}

/** Columns whose value changes on reads by design (a key's last use), left out of fingerprints. */
export type VolatileColumns = Record<string, string[]>;

/**
 * A cheap fingerprint of the whole database (one statement): each table's row count and its rows'
 * text, ordered, so any insert, update or delete changes it. `volatile` columns are left out.
 */
export class DatabaseFingerprint {
  private constructor(
    private readonly ds: DataSource,
    private readonly sql: string,
  ) {}

  static async of(ds: DataSource, volatile: VolatileColumns = {}): Promise<DatabaseFingerprint> {
    const parts: string[] = [];
    for (const table of await tableNames(ds)) {
      const columns: string[] = isPostgres(ds)
        ? (
            await ds.query(
              `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
              [table],
            )
          ).map((r: { name: string }) => r.name)
        : (await ds.query(`PRAGMA table_info("${table}")`)).map((r: { name: string }) => r.name);
      const kept = columns.filter((c) => !(volatile[table] ?? []).includes(c));
      if (isPostgres(ds)) {
        const row = `concat_ws('|', ${kept.map((c) => `"${c}"::text`).join(', ')})`;
        parts.push(
          `SELECT '${table}' AS t, count(*)::int AS n, md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), '')) AS h FROM "${table}"`,
        );
      } else {
        const row = kept.map((c) => `quote("${c}")`).join(` || '|' || `);
        parts.push(
          `SELECT '${table}' AS t, count(*) AS n, group_concat(r, ',') AS h FROM (SELECT ${row} AS r FROM "${table}" ORDER BY 1)`,
        );
      }
    }
    return new DatabaseFingerprint(ds, parts.join(' UNION ALL '));
  }

  /** `table → count:hash` of every table. */
  async take(): Promise<Map<string, string>> {
    const rows: { t: string; n: number; h: string | null }[] = await this.ds.query(this.sql);
    return new Map(rows.map((r) => [r.t, `${r.n}:${r.h ?? ''}`]));
  }
}

/** The tables whose fingerprint differs between two takes. */
export function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((t) => before.get(t) !== after.get(t));
}
