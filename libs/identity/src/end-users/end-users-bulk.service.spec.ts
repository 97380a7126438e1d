import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { DataSource, QueryFailedError } from 'typeorm';
import { type ServiceSetup, setup } from '../../testing/service-setup.js';
import type { Caller } from '../audit/caller.js';
import { IdentityErrorCode } from '../common/errors/identity-error.js';
import { rowsPerChunk } from '../common/persistence/bulk-statements.js';
import { WorkspacesService } from '../workspaces/workspaces.service.js';
import { END_USER_INSERT_COLUMNS } from './end-user-rows.js';
import { EndUsersBulkService } from './end-users-bulk.service.js';

const user = (n: number) => ({
  displayName: `User ${n}`,
  email: `user${n}@example.com`,
  externalId: `ext-${n}`,
});

describe(EndUsersBulkService.name, () => {
  let ctx: ServiceSetup<EndUsersBulkService>;
  let sut: EndUsersBulkService;
  let workspaceId: string;
  let dataSource: DataSource;

  beforeEach(async () => {
    ctx = await setup(EndUsersBulkService);
    ({ sut, workspaceId } = ctx);
    dataSource = ctx.get(DataSource);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await ctx.close();
  });

  async function count(): Promise<number> {
    const [row] = await dataSource.query('SELECT COUNT(*) AS n FROM identity_end_users');
    return Number(row.n);
  }

  it('counts its statements: ceil(n / chunk) user INSERTs and as many audit INSERTs', async () => {
    const statements: string[] = [];
    const original = dataSource.createQueryRunner.bind(dataSource);
    jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((...args) => {
      const runner = original(...args);
      const run = runner.query.bind(runner);
      runner.query = ((sql: string, params?: unknown[], structured?: boolean) => {
        statements.push(sql);
        return run(sql, params, structured as never);
      }) as typeof runner.query;
      return runner;
    });
    await sut.createMany(
      workspaceId,
      Array.from({ length: 2500 }, (_, i) => user(i)),
    );
    const inserts = statements.filter((s) => s.startsWith('INSERT INTO "identity_end_users"'));
    expect(inserts).toHaveLength(Math.ceil(2500 / rowsPerChunk(END_USER_INSERT_COLUMNS.length)));
    const audits = statements.filter((s) => s.startsWith('INSERT INTO "identity_audit_log"'));
    expect(audits.length).toBeLessThanOrEqual(3);
  });

  it('updates 1,200 users across chunks, each to its own values', async () => {
    const created = await sut.createMany(
      workspaceId,
      Array.from({ length: 1200 }, (_, i) => user(i)),
    );
    const ids = created.map((o) => (o.ok ? o.data.id : ''));
    const outcomes = await sut.patchMany(
      workspaceId,
      ids.map((id, i) => ({ id, lastName: `Last ${i}` })),
    );
    expect(outcomes.every((o) => o.ok)).toBe(true);
    const rows: { external_id: string; last_name: string }[] = await dataSource.query(
      'SELECT external_id, last_name FROM identity_end_users',
    );
    for (const row of rows) {
      expect(row.last_name).toBe(`Last ${row.external_id.slice(4)}`);
    }
  });

  it("answers NotFound for another workspace's user and leaves it untouched", async () => {
    const other = await ctx.get(WorkspacesService).create('Other');
    const [theirs] = await sut.createMany(other.id, [user(1)]);
    const id = theirs.ok ? theirs.data.id : '';
    const [outcome] = await sut.replaceMany(workspaceId, [{ id, displayName: 'Mallory' }]);
    expect(outcome).toEqual({ ok: false, error: { type: 'NotFound', id, message: 'End user not found.' } });
    const [row] = await dataSource.query('SELECT display_name FROM identity_end_users WHERE id = ?', [id]);
    expect(row.display_name).toBe('User 1');
  });

  it('refuses a read-only caller before touching anything', async () => {
    const reader: Caller = { workspaceId, actor: { type: 'api_key', id: 'k' }, scope: 'read' };
    await expect(sut.createMany(reader, [user(1)])).rejects.toMatchObject({
      code: IdentityErrorCode.Forbidden,
    });
    expect(await count()).toBe(0);
  });

  it('answers every item Infrastructure, and writes nothing, when the database fails mid-call', async () => {
    const original = dataSource.createQueryRunner.bind(dataSource);
    jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((...args) => {
      const runner = original(...args);
      const run = runner.query.bind(runner);
      runner.query = ((sql: string, params?: unknown[], structured?: boolean) =>
        sql.startsWith('INSERT INTO "identity_audit_log"')
          ? Promise.reject(new Error('disk full'))
          : run(sql, params, structured as never)) as typeof runner.query;
      return runner;
    });
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const outcomes = await sut.createMany(workspaceId, [user(1), { email: 'bad' }, user(2)]);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.type))).toEqual([
      'Infrastructure',
      'Validation',
      'Infrastructure',
    ]);
    jest.restoreAllMocks();
    expect(await count()).toBe(0);
  });

  it('rejects the whole call as Unavailable (503), and writes nothing, when the connection is lost mid-call', async () => {
    const original = dataSource.createQueryRunner.bind(dataSource);
    jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((...args) => {
      const runner = original(...args);
      const run = runner.query.bind(runner);
      runner.query = ((sql: string, params?: unknown[], structured?: boolean) =>
        sql.startsWith('INSERT INTO "identity_audit_log"')
          ? Promise.reject(
              new QueryFailedError(
                sql,
                [],
                Object.assign(new Error('terminating connection due to administrator command'), {
                  code: '57P01',
                }),
              ),
            )
          : run(sql, params, structured as never)) as typeof runner.query;
      return runner;
    });
    await expect(sut.createMany(workspaceId, [user(1), user(2)])).rejects.toMatchObject({
      code: IdentityErrorCode.Unavailable,
      details: { retryAfterSeconds: expect.any(Number) },
    });
    jest.restoreAllMocks();
    expect(await count()).toBe(0);
  });

  it('checks again when a concurrent writer takes an external id between check and write', async () => {
    const original = dataSource.createQueryRunner.bind(dataSource);
    let failed = false;
    let competitorStored = false;
    jest.spyOn(dataSource, 'createQueryRunner').mockImplementation((...args) => {
      const runner = original(...args);
      const run = runner.query.bind(runner);
      runner.query = (async (sql: string, params?: unknown[], structured?: boolean) => {
        if (!failed && sql.startsWith('INSERT INTO "identity_end_users"')) {
          failed = true;
          // Another instance committed ext-1 after our check: our INSERT meets the unique index.
          throw new QueryFailedError(
            sql,
            params,
            Object.assign(new Error('unique'), { code: 'SQLITE_CONSTRAINT_UNIQUE' }),
          );
        }
        if (failed && !competitorStored && sql.startsWith('SELECT id, external_id')) {
          competitorStored = true;
          await run(
            `INSERT INTO identity_end_users (id, workspace_id, additional_emails, additional_phone_numbers,
             middle_names, external_id, created_at, updated_at) VALUES (?, ?, '[]', '[]', '[]', 'ext-1', ?, ?)`,
            [
              '0192d6a0-0000-7000-8000-0000000000aa',
              workspaceId,
              '2024-01-01 00:00:00.000',
              '2024-01-01 00:00:00.000',
            ],
          );
        }
        return run(sql, params, structured as never);
      }) as typeof runner.query;
      return runner;
    });
    const outcomes = await sut.createMany(workspaceId, [user(1), user(2)]);
    expect(competitorStored).toBe(true);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.type))).toEqual(['Integrity', 'ok']);
    expect(await count()).toBe(2);
  });
});
