// End users in the harness (DESIGN.md §4.2, §6):
//  - group 3: bulk create through EndUsersBulkService (validation, E.164 normalising, external-id check, audit
//    rows, chunked multi-row INSERTs in one transaction) vs a raw chunked INSERT of the same rows in one
//    transaction, for 1,000 and 10,000 users. Targets: ≤1.5× (PostgreSQL), ≤2.5× (SQLite).
//  - for scale.bench.ts (groups 4, 5): seeding n users fast, keyset paging first vs deepest page, and the
//    lookups by email and externalId.
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  EndUsersBulkService,
  type EndUserInput,
  EndUsersService,
  PageKeys,
  runInTransaction,
  WorkspacesService,
} from '../libs/identity/src/index.js';
import { bootContext } from './harness/boot.js';
import { type BenchDatabase, onEachDatabase } from './harness/databases.js';
import { median, ms, row, sample, spread, timed } from './harness/measure.js';
import type { Seeder } from './harness/seed.js';
import type { BenchRow, Scenario } from './harness/types.js';

const PAGE_LIMIT = 100;

/** A realistic create body, unique by `run` and `n`. */
function endUser(run: string, n: number): EndUserInput {
  return {
    displayName: `Bench User ${n}`,
    email: `user${n}.${run}@example.com`,
    phoneNumber: `+4520${String(n % 1_000_000).padStart(6, '0')}`,
    additionalEmails: [`other${n}.${run}@example.com`],
    additionalPhoneNumbers: [],
    firstName: 'Bench',
    lastName: `User ${n}`,
    middleNames: [],
    avatarUrl: 'https://example.com/avatar.png',
    externalId: `${run}-${n}`,
  };
}

/**
 * The baseline: the same rows (as the service would store them: normalised values, JSON lists, ids and
 * times made beforehand) written by hand-built multi-row INSERTs of 1,000 rows in one transaction.
 */
async function rawInsert(dataSource: DataSource, workspaceId: string, users: EndUserInput[]): Promise<void> {
  const postgres = dataSource.options.type === 'postgres';
  const now = new Date();
  const at = postgres ? now.toISOString() : now.toISOString().replace('T', ' ').replace('Z', '');
  const rows = users.map((u, i) => [
    `0192d6a0-${randomBytes(2).toString('hex')}-7${randomBytes(2).toString('hex').slice(1)}-8000-${String(i).padStart(12, '0')}`,
    workspaceId,
    u.displayName,
    u.email,
    u.phoneNumber,
    JSON.stringify(u.additionalEmails),
    JSON.stringify(u.additionalPhoneNumbers),
    u.firstName,
    u.lastName,
    JSON.stringify(u.middleNames),
    u.avatarUrl,
    u.externalId,
    at,
    at,
  ]);
  await runInTransaction(dataSource, async (manager) => {
    for (let i = 0; i < rows.length; i += 1000) {
      const chunk = rows.slice(i, i + 1000);
      const params: unknown[] = [];
      const values = chunk
        .map(
          (row) => `(${row.map((v) => (params.push(v), postgres ? `$${params.length}` : '?')).join(', ')})`,
        )
        .join(', ');
      await manager.query(
        `INSERT INTO identity_end_users (id, workspace_id, display_name, email, phone_number, additional_emails,
         additional_phone_numbers, first_name, last_name, middle_names, avatar_url, external_id, created_at, updated_at)
         VALUES ${values}`,
        params,
      );
    }
  });
}

/** Bulk create through the service vs the raw baseline, interleaved (order alternating) after one warm-up round. */
async function bulkOn(database: BenchDatabase, quick: boolean): Promise<BenchRow[]> {
  const app = await bootContext(database.config);
  try {
    const bulk = app.get(EndUsersBulkService);
    const dataSource = app.get(DataSource);
    const workspaces = app.get(WorkspacesService);
    const rows: BenchRow[] = [];
    // Both paths run 5,000 users once before anything is measured: a fresh process runs the checks
    // (validator, libphonenumber) unoptimised for its first few thousand users, so the first size
    // measured would be the JIT rather than the service.
    const warm = await workspaces.create('bench warm-up');
    const warmUsers = Array.from({ length: quick ? 500 : 5_000 }, (_, n) => endUser('warm', n));
    await bulk.createMany(warm.id, warmUsers);
    await rawInsert(
      dataSource,
      warm.id,
      warmUsers.map((u) => ({ ...u, externalId: `raw-${u.externalId}` })),
    );
    for (const size of quick ? [500] : [1_000, 10_000]) {
      // Even, so each order (service first, baseline first) runs equally often: on SQLite whichever runs
      // second pays the WAL checkpoint of the first one's commit, and an odd count let one order decide.
      const rounds = quick ? 2 : size >= 10_000 ? 4 : 10;
      const service: number[] = [];
      const raw: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round <= rounds; round++) {
        const workspace = await workspaces.create(`bench ${size} ${round}`);
        const users = Array.from({ length: size }, (_, n) => endUser(`r${round}`, n));
        // Order alternates per round so neither side always runs on a warmer cache.
        const first = round % 2 === 0;
        const runService = () => bulk.createMany(workspace.id, users);
        const runRaw = () =>
          rawInsert(
            dataSource,
            workspace.id,
            users.map((u) => ({ ...u, externalId: `raw-${u.externalId}` })),
          );
        const a = await timed(first ? runService : runRaw);
        const b = await timed(first ? runRaw : runService);
        const [s, r] = first ? [a, b] : [b, a];
        if (round === 0) {
          continue; // warm-up
        }
        service.push(s);
        raw.push(r);
        ratios.push(s / r);
      }
      rows.push(
        row({
          group: 3,
          name: `bulk create ${size.toLocaleString('en')} end users`,
          database: database.kind,
          ratio: median(ratios),
          baseline: 'raw chunked INSERT, one transaction',
          target: { atMost: database.kind === 'postgres' ? 1.5 : 2.5 },
          detail: `service ${ms(median(service))}, raw ${ms(median(raw))}; ${rounds} rounds, median`,
        }),
      );
    }
    return rows;
  } finally {
    await app.close();
  }
}

/** Group 3 on SQLite and PostgreSQL. */
export const bulkCreateScenario: Scenario = ({ quick }) =>
  onEachDatabase((database) => bulkOn(database, quick));

/**
 * Adds end users numbered `from + 1 … to` to the workspace in creation order (1 ms apart), in one statement
 * per 250,000 rows (generate_series on PostgreSQL, a recursive CTE on SQLite: inside the engine), in the
 * seeder's transaction. User n has email `user<n>@example.com` and externalId `ext-<n>`.
 */
export async function seedEndUsers(
  seeder: Seeder,
  workspaceId: string,
  from: number,
  to: number,
  tag = '0000',
): Promise<void> {
  for (let start = from; start < to; start += 250_000) {
    const end = Math.min(to, start + 250_000);
    if (seeder.postgres) {
      await seeder.query(
        `INSERT INTO identity_end_users (id, workspace_id, display_name, email, additional_emails,
           additional_phone_numbers, middle_names, external_id, created_at, updated_at)
         SELECT (lpad(to_hex(g), 8, '0') || '-' || $2 || '-7000-8000-000000000000')::uuid,
                $1, 'User ' || g, 'user' || g || '@example.com', '[]', '[]', '[]', 'ext-' || g,
                timestamptz '2025-01-01' + g * interval '1 millisecond', now()
         FROM generate_series($3::int + 1, $4::int) AS g`,
        [workspaceId, tag, start, end],
      );
    } else {
      await seeder.query(
        `WITH RECURSIVE g(n) AS (SELECT CAST(? AS INTEGER) UNION ALL SELECT n + 1 FROM g WHERE n < ?)
         INSERT INTO identity_end_users (id, workspace_id, display_name, email, additional_emails,
           additional_phone_numbers, middle_names, external_id, created_at, updated_at)
         SELECT printf('%08x-${tag}-7000-8000-000000000000', n), ?, 'User ' || n, 'user' || n || '@example.com',
                '[]', '[]', '[]', 'ext-' || n,
                strftime('%Y-%m-%d %H:%M:%f', 1735689600 + n / 1000.0, 'unixepoch'),
                strftime('%Y-%m-%d %H:%M:%f', 'now')
         FROM g`,
        [start + 1, end, workspaceId],
      );
    }
  }
}

/** An instant as the drivers return it: a Date (pg) or UTC text without a zone (SQLite). */
function epochMs(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(`${value.replace(' ', 'T')}Z`);
}

/** Keyset paging through `EndUsersService.list`: the first page and the deepest (last) page. */
export async function endUserPaging(
  app: INestApplicationContext,
  workspaceId: string,
  samples: number,
): Promise<{ first: number[]; deepest: number[] }> {
  const dataSource = app.get(DataSource);
  const endUsers = app.get(EndUsersService);
  const postgres = dataSource.options.type === 'postgres';
  // The key of the last page, as a walk would have reached it: the position just before its rows.
  // (The scope string is EndUsersService's: a list key is bound to its workspace and filters.)
  const [before] = await dataSource.query(
    `SELECT id, created_at FROM identity_end_users WHERE workspace_id = ${postgres ? '$1' : '?'}
     ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ${PAGE_LIMIT}`,
    [workspaceId],
  );
  const lastKey = app.get(PageKeys).encode(`endusers\n${workspaceId}\n[]`, 'next', {
    createdAt: epochMs(before.created_at),
    id: before.id,
  });
  const last = await endUsers.list(workspaceId, { pageLimit: PAGE_LIMIT, pageKey: lastKey });
  if (last.items.length !== PAGE_LIMIT || last.nextPageKey !== undefined) {
    throw new Error(`the last page has ${last.items.length} users and a next page: the key is wrong`);
  }
  const first: number[] = [];
  const deepest: number[] = [];
  // Interleaved, so drift on a shared machine hits both alike.
  for (let i = 0; i < samples + 3; i++) {
    // Order alternating, so neither page always runs first.
    const runFirst = () => timed(() => endUsers.list(workspaceId, { pageLimit: PAGE_LIMIT }));
    const runLast = () =>
      timed(() => endUsers.list(workspaceId, { pageLimit: PAGE_LIMIT, pageKey: lastKey }));
    const f = i % 2 === 0 ? await runFirst() : 0;
    const l = await runLast();
    const f2 = i % 2 === 0 ? f : await runFirst();
    if (i >= 3) {
      first.push(f2);
      deepest.push(l);
    }
  }
  return { first, deepest };
}

/**
 * Lookup times (ms) by email and by externalId, through `EndUsersService.list`, of users spread over
 * 1…count, each looked up once before it is timed: the ratio between sizes is then the index's depth, not
 * whether the database's buffer cache holds the whole table.
 */
export async function endUserLookups(
  app: INestApplicationContext,
  workspaceId: string,
  count: number,
  samples: number,
): Promise<{ byEmail: number[]; byExternalId: number[] }> {
  const endUsers = app.get(EndUsersService);
  const picks = spread(samples + 5, count, count);
  const check = (found: number) => {
    if (found !== 1) {
      throw new Error(`a lookup found ${found} end users, not 1`);
    }
  };
  const byEmail = await sample(
    samples,
    async (i) =>
      check((await endUsers.list(workspaceId, { email: `user${picks[i]}@example.com` })).items.length),
    'each',
  );
  const byExternalId = await sample(
    samples,
    async (i) => check((await endUsers.list(workspaceId, { externalId: `ext-${picks[i]}` })).items.length),
    'each',
  );
  return { byEmail, byExternalId };
}
