// End-users benchmark (DESIGN.md §4.2, §6). Two questions, each answered as a ratio measured in the same run:
//  1. Bulk create through EndUsersBulkService (validation, E.164 normalising, external-id check, audit rows,
//     chunked multi-row INSERTs in one transaction) vs a raw chunked INSERT of the same rows in one
//     transaction, for 1,000 and 10,000 users, on SQLite and PostgreSQL. Targets: ≤1.5× (PostgreSQL), ≤2.5× (SQLite).
//  2. Keyset paging at depth: the first page vs the last page of 1,000,000 users on PostgreSQL (target ≤2×).
// Run: `npm run bench:end-users` (BENCH_PAGING_USERS=… changes the 1,000,000). Tables also go to
// bench/end-users-results.md. Machines are noisy: read the ratios, not the absolute numbers.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  EndUsersBulkService,
  EndUsersService,
  type EndUserInput,
  PageKeys,
  runInTransaction,
  WorkspacesService,
} from '../libs/identity/src/index.js';
import { AppModule } from '../src/app.module.js';
import type { DatabaseConfig } from '../src/config.js';

// Even, so each order (service first, baseline first) runs equally often: on SQLite whichever runs second
// pays the WAL checkpoint of the first one's commit, and an odd count let one order decide the median.
const ROUNDS = 6;
const WARM_UP_USERS = 5_000;
const SIZES = [1_000, 10_000];
const PAGING_USERS = Number(process.env.BENCH_PAGING_USERS ?? 1_000_000);
const PAGE_LIMIT = 100;
const PAGE_SAMPLES = 30;
const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RESULTS_FILE = new URL('../../bench/end-users-results.md', import.meta.url);

interface BenchDatabase {
  label: string;
  config: DatabaseConfig;
  drop(): Promise<void>;
}

async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  try {
    return await admin.query(sql);
  } finally {
    await admin.end();
  }
}

function sqliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'identity-bench-'));
  return {
    label: 'SQLite (temp file, WAL)',
    config: { type: 'sqlite', path: join(dir, 'identity.sqlite') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresDatabase(): Promise<BenchDatabase | undefined> {
  let version: string;
  try {
    version = String((await adminQuery('SHOW server_version')).rows[0].server_version).split(' ')[0];
  } catch (err) {
    console.log(`PostgreSQL not reachable (${(err as Error).message}): its legs are skipped`);
    return undefined;
  }
  const name = `identity_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    label: `PostgreSQL ${version} (${url.host}, throwaway database)`,
    config: { type: 'postgres', url: url.toString() },
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function boot(database: DatabaseConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(
    AppModule.register({
      database,
      port: 0,
      databaseLogging: false,
      identity: { tokenSecret: 'x'.repeat(40), rateLimit: false },
    }),
    { logger: ['error'] },
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

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

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Bulk create through the service vs the raw baseline, interleaved over ROUNDS rounds. */
async function benchmarkBulk(database: BenchDatabase): Promise<string[][]> {
  const app = await boot(database.config);
  try {
    const bulk = app.get(EndUsersBulkService);
    const dataSource = app.get(DataSource);
    const workspaces = app.get(WorkspacesService);
    const rows: string[][] = [];
    // Both paths run 5,000 users once before anything is measured: a fresh process runs the checks
    // (validator, libphonenumber) unoptimised for its first few thousand users, which the one warm-up
    // round of 1,000 below did not cover, so the first size measured the JIT rather than the service.
    const warm = await workspaces.create('bench warm-up');
    const warmUsers = Array.from({ length: WARM_UP_USERS }, (_, n) => endUser('warm', n));
    await bulk.createMany(warm.id, warmUsers);
    await rawInsert(
      dataSource,
      warm.id,
      warmUsers.map((u) => ({ ...u, externalId: `raw-${u.externalId}` })),
    );
    for (const size of SIZES) {
      const service: number[] = [];
      const raw: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round <= ROUNDS; round++) {
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
      rows.push([
        database.label.split(' (')[0],
        size.toLocaleString('en'),
        median(raw).toFixed(0),
        median(service).toFixed(0),
        `${median(ratios).toFixed(2)}×`,
      ]);
      console.log(rows[rows.length - 1].join(' | '));
    }
    return rows;
  } finally {
    await app.close();
  }
}

/** First vs last page of a keyset walk over PAGING_USERS users on PostgreSQL. */
async function benchmarkPaging(database: BenchDatabase): Promise<{ rows: string[][]; plan: string }> {
  const app = await boot(database.config);
  try {
    const dataSource = app.get(DataSource);
    const endUsers = app.get(EndUsersService);
    const workspace = await app.get(WorkspacesService).create('paging');
    // Another workspace's users too, so the index holds more than the one being paged.
    const noise = await app.get(WorkspacesService).create('noise');
    const fill = (workspaceId: string, count: number, group: string, from = 0) =>
      dataSource.query(
        `INSERT INTO identity_end_users (id, workspace_id, display_name, email, additional_emails,
           additional_phone_numbers, middle_names, external_id, created_at, updated_at)
         SELECT (lpad(to_hex(g), 8, '0') || '-' || $3 || '-7000-8000-000000000000')::uuid,
                $1, 'User ' || g, 'user' || g || '@example.com', '[]', '[]', '[]', 'ext-' || g,
                timestamptz '2025-01-01' + g * interval '1 millisecond', now()
         FROM generate_series($4::int + 1, $4::int + $2::int) AS g`,
        [workspaceId, count, group, from],
      );
    const started = Date.now();
    for (let done = 0; done < PAGING_USERS; done += 250_000) {
      await fill(workspace.id, Math.min(250_000, PAGING_USERS - done), '0000', done);
    }
    await fill(noise.id, Math.min(100_000, PAGING_USERS), '0001');
    await dataSource.query('ANALYZE identity_end_users');
    console.log(
      `filled ${PAGING_USERS.toLocaleString('en')} users in ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );

    // The key of the last page, as the walk would have reached it: the position just before its rows.
    // (The scope string is EndUsersService's: a list key is bound to its workspace and filters.)
    const [before] = await dataSource.query(
      `SELECT id, created_at FROM identity_end_users WHERE workspace_id = $1
       ORDER BY created_at DESC, id DESC OFFSET ${PAGE_LIMIT} LIMIT 1`,
      [workspace.id],
    );
    const lastKey = app.get(PageKeys).encode(`endusers\n${workspace.id}\n[]`, 'next', {
      createdAt: new Date(before.created_at).getTime(),
      id: before.id,
    });
    const last = await endUsers.list(workspace.id, { pageLimit: PAGE_LIMIT, pageKey: lastKey });
    if (last.items.length !== PAGE_LIMIT || last.nextPageKey !== undefined) {
      throw new Error(`the last page has ${last.items.length} users and a next page: the key is wrong`);
    }
    const firstTimes: number[] = [];
    const lastTimes: number[] = [];
    for (let i = 0; i < PAGE_SAMPLES + 3; i++) {
      const f = await timed(() => endUsers.list(workspace.id, { pageLimit: PAGE_LIMIT }));
      const l = await timed(() => endUsers.list(workspace.id, { pageLimit: PAGE_LIMIT, pageKey: lastKey }));
      if (i >= 3) {
        firstTimes.push(f);
        lastTimes.push(l);
      }
    }
    const explain: { 'QUERY PLAN': string }[] = await dataSource.query(
      `EXPLAIN SELECT id FROM identity_end_users WHERE workspace_id = $1
       AND (created_at, id) > ($2::timestamptz, $3::uuid) ORDER BY created_at, id LIMIT ${PAGE_LIMIT + 1}`,
      [workspace.id, new Date(before.created_at).toISOString(), before.id],
    );
    const ratio = median(lastTimes) / median(firstTimes);
    return {
      rows: [
        [
          PAGING_USERS.toLocaleString('en'),
          median(firstTimes).toFixed(2),
          median(lastTimes).toFixed(2),
          `${ratio.toFixed(2)}×`,
        ],
      ],
      plan: explain.map((row) => row['QUERY PLAN']).join('\n'),
    };
  } finally {
    await app.close();
  }
}

async function main(): Promise<void> {
  const bulkRows: string[][] = [];
  const sqlite = sqliteDatabase();
  try {
    bulkRows.push(...(await benchmarkBulk(sqlite)));
  } finally {
    await sqlite.drop();
  }
  let paging: { rows: string[][]; plan: string } | undefined;
  const postgres = await postgresDatabase();
  if (postgres) {
    try {
      bulkRows.push(...(await benchmarkBulk(postgres)));
      paging = await benchmarkPaging(postgres);
    } finally {
      await postgres.drop();
    }
  }
  const report = [
    '# End-users benchmark',
    '',
    `- date: ${new Date().toISOString()}`,
    `- node: ${process.version}`,
    `- bulk: ${WARM_UP_USERS.toLocaleString('en')} users through both paths first (JIT warm-up), then per size ${ROUNDS} rounds after one warm-up, service and baseline interleaved (order alternating); medians`,
    '- baseline: the same rows (values prepared beforehand) by hand-built multi-row INSERTs of 1,000 rows in one transaction',
    '- service: `EndUsersBulkService.createMany` (checks, E.164, external-id lookup, chunked INSERTs, an audit row per user)',
    '',
    '## Bulk create',
    '',
    markdownTable(['database', 'users', 'raw INSERT ms', 'service ms', 'service / raw'], bulkRows, [
      false,
      true,
      true,
      true,
      true,
    ]),
    '',
    '## Keyset paging (PostgreSQL)',
    '',
    paging
      ? [
          `${PAGE_SAMPLES} samples each after 3 warm-ups, pageLimit ${PAGE_LIMIT}, through \`EndUsersService.list\`; medians.`,
          '',
          markdownTable(['users', 'first page ms', 'last page ms', 'last / first'], paging.rows, [
            true,
            true,
            true,
            true,
          ]),
          '',
          'Plan of the last page:',
          '',
          '```',
          paging.plan,
          '```',
        ].join('\n')
      : 'PostgreSQL was not reachable: skipped.',
    '',
  ].join('\n');
  writeFileSync(RESULTS_FILE, report);
  console.log(`\n${report}`);
}

await main();
