import type { DataSource } from 'typeorm';

/** Runs the seeding statements of one stage, on one connection in one transaction. */
export interface Seeder {
  postgres: boolean;
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Seeds in one transaction on one connection, as a bulk load would: on PostgreSQL without the per-row
 * foreign-key triggers (`session_replication_role = replica`; the rows are consistent by construction)
 * and without waiting for the commit's flush; on SQLite with a 256 MiB page cache while it lasts, so
 * index pages are not written out and read back for every batch of random keys.
 */
export async function seeding<T>(dataSource: DataSource, work: (seeder: Seeder) => Promise<T>): Promise<T> {
  const postgres = dataSource.options.type === 'postgres';
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    if (!postgres) {
      await runner.query('PRAGMA cache_size = -262144');
    }
    await runner.startTransaction();
    try {
      if (postgres) {
        await runner.query('SET LOCAL session_replication_role = replica');
        await runner.query('SET LOCAL synchronous_commit = off');
      }
      const result = await work({ postgres, query: (sql, params) => runner.query(sql, params) });
      await runner.commitTransaction();
      return result;
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    }
  } finally {
    if (!postgres) {
      await runner.query('PRAGMA cache_size = -2000'); // SQLite's default again, for the measurements
    }
    await runner.release();
  }
}
