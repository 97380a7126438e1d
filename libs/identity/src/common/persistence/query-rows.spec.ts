import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource, type Logger, QueryFailedError } from 'typeorm';
import { queryRows } from './persistence.js';

/** A TypeORM logger that keeps what it was told. */
class RecordingLogger implements Logger {
  readonly queries: string[] = [];
  readonly errors: string[] = [];
  logQuery(query: string): void {
    this.queries.push(query);
  }
  logQueryError(_error: string | Error, query: string): void {
    this.errors.push(query);
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

describe('queryRows (straight to the driver outside transactions)', () => {
  let dataSource: DataSource;
  let logger: RecordingLogger;

  beforeEach(async () => {
    logger = new RecordingLogger();
    dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', logger });
    await dataSource.initialize();
    await dataSource.query(`CREATE TABLE t (id TEXT PRIMARY KEY, label TEXT)`);
    await dataSource.query(`INSERT INTO t VALUES ('a', 'first')`);
    logger.queries.length = 0;
  });

  afterEach(async () => {
    await dataSource.destroy();
  });

  it('answers plain rows, and the data source logger sees the query (query counters are not blind)', async () => {
    await expect(queryRows(dataSource, 'SELECT id, label FROM t WHERE id = ?', ['a'])).resolves.toEqual([
      { id: 'a', label: 'first' },
    ]);
    expect(logger.queries).toEqual(['SELECT id, label FROM t WHERE id = ?']);
  });

  it('fails as a QueryFailedError, logged as a failed query like any other', async () => {
    const sql = 'SELECT id FROM missing WHERE id = ?';
    const failure = await queryRows(dataSource, sql, ['a']).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(logger.errors).toEqual([sql]);
  });

  it('keeps answering from a kept statement after its table is dropped and made again', async () => {
    const sql = 'SELECT * FROM t WHERE id = ?';
    await queryRows(dataSource, sql, ['a']);
    await dataSource.query('DROP TABLE t');
    await dataSource.query('CREATE TABLE t (id TEXT PRIMARY KEY, other INTEGER)');
    await dataSource.query(`INSERT INTO t VALUES ('a', 7)`);
    await expect(queryRows(dataSource, sql, ['a'])).resolves.toEqual([{ id: 'a', other: 7 }]);
  });
});
