// External-users benchmark (issue 11): the guard on a host route (cache hit) against the same route
// unguarded, and the external-user list at page 1 against deep pages with 1M users in the workspace.
// Like token-checks.bench.ts it reports ratios measured in the same run and asserts nothing.
// Run: `npm run bench:external-users` (BENCH_EXTERNAL_USERS=<n> changes the 1,000,000 users);
// the tables also go to bench/external-users-results.md.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Controller, type DynamicModule, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pg from 'pg';
import { DataSource } from 'typeorm';
import {
  ApiKeysService,
  ChannelsService,
  CurrentExternalUser,
  ExternalUserAuth,
  type ExternalUserPrincipal,
  ExternalUsersService,
  TiersService,
  WorkspacesService,
} from '../libs/identity/src/index.js';
import { AppModule } from '../src/app.module.js';
import type { DatabaseConfig, HostConfig } from '../src/config.js';
import type { LoadJob, LoadResult } from './http-load.worker.js';

const USERS = Number(process.env.BENCH_EXTERNAL_USERS ?? 1_000_000);
const PAGE_SIZE = 10;
const WARMUP_REQUESTS = 100;
const CONCURRENCY = 8;
const ROUNDS = 3;
const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RESULTS_FILE = new URL('../../bench/external-users-results.md', import.meta.url);

interface BenchDatabase {
  kind: 'SQLite' | 'PostgreSQL';
  config: DatabaseConfig;
  drop(): Promise<void>;
}

interface Scenario {
  name: string;
  path: string;
  headers: Record<string, string>;
  requests: number;
}

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Two routes of identical work, one behind `@ExternalUserAuth()`: the guard's cost is their difference. */
@Controller('bench')
class GuardBenchController {
  @Get('open')
  open() {
    return { ok: true };
  }

  @Get('guarded')
  @ExternalUserAuth()
  guarded(@CurrentExternalUser() user: ExternalUserPrincipal) {
    return { ok: user.id.length > 0 };
  }
}

@Module({})
class BenchModule {
  static register(config: HostConfig): DynamicModule {
    return {
      module: BenchModule,
      imports: [AppModule.register(config)],
      controllers: [GuardBenchController],
    };
  }
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

async function databases(): Promise<BenchDatabase[]> {
  const dir = mkdtempSync(join(tmpdir(), 'identity-bench-'));
  const list: BenchDatabase[] = [
    {
      kind: 'SQLite',
      config: { type: 'sqlite', path: join(dir, 'identity.sqlite') },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    },
  ];
  const name = `identity_bench_${randomBytes(6).toString('hex')}`;
  try {
    await adminQuery(`CREATE DATABASE ${name}`);
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = `/${name}`;
    list.push({
      kind: 'PostgreSQL',
      config: { type: 'postgres', url: url.toString() },
      drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
    });
  } catch (err) {
    console.log(`PostgreSQL not reachable (${(err as Error).message}): skipped`);
  }
  return list;
}

async function startHost(database: DatabaseConfig): Promise<{ app: INestApplication; origin: string }> {
  const config: HostConfig = {
    database,
    port: 0,
    databaseLogging: false,
    identity: {
      tokenSecret: 'x'.repeat(40),
      rateLimit: false,
      invalidation:
        database.type === 'postgres' ? { driver: 'postgres', url: database.url } : { driver: 'local' },
    },
  };
  const app = await NestFactory.create(BenchModule.register(config), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}` };
}

/**
 * Adds `USERS` external users to the workspace in one statement, numbered as the service numbers them
 * (ordinals 1…n, the counter row at n), spread over two channels (even and odd ordinals, each channel
 * numbering its own 1, 2, 3…); every fourth user has `tierId`.
 */
async function seedUsers(
  dataSource: DataSource,
  kind: BenchDatabase['kind'],
  workspaceId: string,
  channels: string[],
  tierId: string,
) {
  const started = Date.now();
  if (kind === 'PostgreSQL') {
    await dataSource.query(
      `INSERT INTO identity_super_identities (id, workspace_id)
        SELECT md5('s' || g)::uuid, $1 FROM generate_series(1, $2) g`,
      [workspaceId, USERS],
    );
    await dataSource.query(
      `INSERT INTO identity_external_users
        (id, workspace_id, ordinal, channel_id, channel_ordinal, external_id, name, super_identity_id, tier_id)
        SELECT md5('u' || g)::uuid, $1, g, CASE WHEN g % 2 = 0 THEN $3::uuid ELSE $4::uuid END, (g + 1) / 2,
          'ext-' || g, 'User ' || g, md5('s' || g)::uuid, CASE WHEN g % 4 = 0 THEN $5::uuid END
        FROM generate_series(1, $2) g`,
      [workspaceId, USERS, channels[0], channels[1], tierId],
    );
    // What autovacuum does after a bulk insert: the visibility map lets the filtered pages' inner
    // queries read their index alone (index-only scans) instead of visiting the table for each entry.
    await dataSource.query('VACUUM ANALYZE identity_external_users');
  } else {
    const series = `WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < ?)`;
    const uuid = (tag: string) => `printf('%08x-0000-4000-8${tag}00-%012x', n, n)`;
    await dataSource.query(
      `${series} INSERT INTO identity_super_identities (id, workspace_id) SELECT ${uuid('1')}, ? FROM g`,
      [USERS, workspaceId],
    );
    await dataSource.query(
      `${series} INSERT INTO identity_external_users
        (id, workspace_id, ordinal, channel_id, channel_ordinal, external_id, name, super_identity_id, tier_id)
        SELECT ${uuid('2')}, ?, n, CASE WHEN n % 2 = 0 THEN ? ELSE ? END, (n + 1) / 2, 'ext-' || n, 'User ' || n,
          ${uuid('1')}, CASE WHEN n % 4 = 0 THEN ? END
        FROM g`,
      [USERS, workspaceId, channels[0], channels[1], tierId],
    );
    await dataSource.query('ANALYZE');
  }
  await dataSource.query(
    kind === 'PostgreSQL'
      ? 'INSERT INTO identity_external_user_sequences (workspace_id, last_ordinal) VALUES ($1, $2)'
      : 'INSERT INTO identity_external_user_sequences (workspace_id, last_ordinal) VALUES (?, ?)',
    [workspaceId, USERS],
  );
  console.log(`  ${kind}: seeded ${USERS} external users in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function runLoad(worker: Worker, job: LoadJob): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (result: LoadResult) => {
      worker.off('error', reject);
      if (result.ok) {
        resolve(result);
      } else {
        reject(new Error(result.error));
      }
    });
    worker.postMessage(job);
  });
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

/** Measures `groups` of scenarios, each against its first scenario, interleaved over ROUNDS rounds. */
async function measure(
  worker: Worker,
  origin: string,
  kind: string,
  groups: Scenario[][],
): Promise<string[][]> {
  const scenarios = groups.flat();
  const load = (s: Scenario, requests: number) =>
    runLoad(worker, {
      origin,
      path: s.path,
      headers: s.headers,
      warmup: WARMUP_REQUESTS,
      requests,
      concurrency: CONCURRENCY,
    });
  for (const scenario of scenarios) {
    await load(scenario, WARMUP_REQUESTS);
  }
  const measured = new Map<Scenario, Measurement[]>(scenarios.map((s) => [s, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]);
    for (const scenario of order) {
      measured.get(scenario)?.push(await load(scenario, scenario.requests));
    }
    console.log(`  ${kind} round ${round + 1}/${ROUNDS} done`);
  }
  return groups.flatMap((group) =>
    group.map((scenario) => {
      const rounds = measured.get(scenario) ?? [];
      const base = measured.get(group[0]) ?? [];
      const ratio = median(rounds.map((m, i) => m.requestsPerSecond / base[i].requestsPerSecond));
      return [
        scenario.name,
        median(rounds.map((m) => m.requestsPerSecond)).toFixed(0),
        median(rounds.map((m) => m.p50Ms)).toFixed(2),
        median(rounds.map((m) => m.p99Ms)).toFixed(2),
        `${ratio.toFixed(2)}×`,
      ];
    }),
  );
}

async function benchmark(database: BenchDatabase, worker: Worker): Promise<string> {
  const { app, origin } = await startHost(database.config);
  try {
    const workspace = await app.get(WorkspacesService).create('Benchmark workspace');
    const { secret: readKey } = await app
      .get(ApiKeysService)
      .create(workspace.id, { name: 'benchmark read key', scope: 'read' });
    const channels = [
      (await app.get(ChannelsService).create(workspace.id, { name: 'Even' })).id,
      (await app.get(ChannelsService).create(workspace.id, { name: 'Odd' })).id,
    ];
    const tier = await app.get(TiersService).create(workspace.id, {
      name: 'Quarter',
      description: 'Every fourth user',
      maxAssistantMessages: null,
    });
    await seedUsers(app.get(DataSource), database.kind, workspace.id, channels, tier.id);
    // The benchmark's own user comes last: ordinal USERS + 1.
    const { accessToken } = await app
      .get(ExternalUsersService)
      .create(workspace.id, { channelId: channels[0], externalId: 'bench-user' });
    const key = { Authorization: readKey };
    const lastPage = Math.floor(USERS / PAGE_SIZE);
    const list = (query: string) => `/api/v1/external-users?pageSize=${PAGE_SIZE}&${query}`;
    const rows = await measure(worker, origin, database.kind, [
      [
        { name: 'GET /bench/open (unguarded twin)', path: '/bench/open', headers: {}, requests: 1500 },
        {
          name: 'GET /bench/guarded, @ExternalUserAuth(), cache hit',
          path: '/bench/guarded',
          headers: { Authorization: `Bearer ${accessToken}` },
          requests: 1500,
        },
      ],
      [
        { name: 'list, page 1', path: list('pageNumber=1'), headers: key, requests: 500 },
        {
          name: `list, page ${Math.ceil(lastPage / 2)}`,
          path: list(`pageNumber=${Math.ceil(lastPage / 2)}`),
          headers: key,
          requests: 500,
        },
        {
          name: `list, page ${lastPage} (the last)`,
          path: list(`pageNumber=${lastPage}`),
          headers: key,
          requests: 500,
        },
      ],
      [
        {
          name: 'list, one channel, page 1',
          path: list(`channelIds=${channels[1]}&pageNumber=1`),
          headers: key,
          requests: 500,
        },
        {
          name: 'list, one channel, page 1000 (range of the channel numbering)',
          path: list(`channelIds=${channels[1]}&pageNumber=1000`),
          headers: key,
          requests: 500,
        },
        {
          name: 'list, one channel, page 10000',
          path: list(`channelIds=${channels[1]}&pageNumber=10000`),
          headers: key,
          requests: 500,
        },
      ],
      [
        {
          name: 'list, one tier, page 1',
          path: list(`tierIds=${tier.id}&pageNumber=1`),
          headers: key,
          requests: 500,
        },
        {
          name: 'list, one tier, page 1000 (deferred join, OFFSET in the tier index)',
          path: list(`tierIds=${tier.id}&pageNumber=1000`),
          headers: key,
          requests: 500,
        },
      ],
      [
        {
          name: 'list, both channels (two ids), page 1',
          path: list(`channelIds=${channels[0]}&channelIds=${channels[1]}&pageNumber=1`),
          headers: key,
          requests: 500,
        },
        {
          name: 'list, both channels (two ids), page 1000 (deferred join)',
          path: list(`channelIds=${channels[0]}&channelIds=${channels[1]}&pageNumber=1000`),
          headers: key,
          requests: 500,
        },
      ],
    ]);
    return [
      `## ${database.kind}`,
      '',
      markdownTable(['scenario', 'median req/s', 'p50 ms', 'p99 ms', 'ratio vs first of its group'], rows, [
        false,
        true,
        true,
        true,
        true,
      ]),
    ].join('\n');
  } finally {
    await app.close();
  }
}

const startedAt = new Date();
const header = [
  '# External-users benchmark',
  '',
  `- date: ${startedAt.toISOString()}`,
  `- node: ${process.version}`,
  `- nproc: ${availableParallelism()}`,
  `- ${USERS} external users in the workspace; list pages of ${PAGE_SIZE}`,
  `- concurrency ${CONCURRENCY}, keep-alive HTTP on 127.0.0.1 from a worker thread, express, rate limit off; ` +
    `${ROUNDS} interleaved rounds, medians; each ratio is the median per-round throughput ratio to the first ` +
    'scenario of its group (the unguarded twin; page 1)',
].join('\n');
console.log(`${header}\n`);

const sections: string[] = [];
const worker = new Worker(new URL('./http-load.worker.js', import.meta.url));
try {
  for (const database of await databases()) {
    try {
      const section = await benchmark(database, worker);
      sections.push(section);
      console.log(`\n${section}\n`);
    } finally {
      await database.drop();
    }
  }
} finally {
  await worker.terminate();
}
writeFileSync(RESULTS_FILE, `${header}\n\n${sections.join('\n\n')}\n`);
console.log(`Wrote ${RESULTS_FILE.pathname} (${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)} s).`);
