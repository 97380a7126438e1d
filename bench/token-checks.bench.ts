// Token-check benchmark (DESIGN.md §6: hash → in-process LRU → database). Boots the demo host twice on
// one database, once with the token cache and once without, and loads it over HTTP on 127.0.0.1.
// Machines are noisy, so it reports throughput as a ratio to a baseline route measured in the same
// round, and asserts nothing. Run: `npm run bench`; the tables also go to bench/results.md.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { INestApplication } from '@nestjs/common';
import pg from 'pg';
import { ApiKeysService, type IdentityModuleOptions, WorkspacesService } from '../libs/identity/src/index.js';
import { createDemoApp } from '../src/bootstrap.js';
import type { DatabaseConfig } from '../src/config.js';
import type { LoadJob, LoadResult } from './http-load.worker.js';

const WARMUP_REQUESTS = 150;
const MEASURED_REQUESTS = 1_500;
const CONCURRENCY = 8;
const ROUNDS = 3;
const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const RESULTS_FILE = new URL('../../bench/results.md', import.meta.url);

/** A throwaway database for one benchmark leg. */
interface BenchDatabase {
  kind: string;
  label: string;
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** One route under load, on the cached or the uncached host. */
interface Scenario {
  name: string;
  host: 'cached' | 'uncached';
  path: string;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function createSqliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'identity-bench-'));
  return {
    kind: 'SQLite',
    label: 'SQLite (temp file, WAL)',
    config: { type: 'sqlite', path: join(dir, 'identity.sqlite') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
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

/** Its own database on the server of DATABASE_URL, or why there is none (the server is unreachable). */
async function createPostgresDatabase(): Promise<BenchDatabase | string> {
  let version: string;
  try {
    // server_version reads like '15.20 (Debian 15.20-0+deb12u1)': keep the number.
    version = String((await adminQuery('SHOW server_version')).rows[0].server_version).split(' ')[0];
  } catch (err) {
    return `PostgreSQL not reachable at ${redact(ADMIN_DATABASE_URL)} (${(err as Error).message}): skipped`;
  }
  const name = `identity_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    kind: 'PostgreSQL',
    label: `PostgreSQL ${version} (${url.host}, throwaway database)`,
    config: { type: 'postgres', url: url.toString() },
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

function redact(connectionString: string): string {
  const url = new URL(connectionString);
  url.password = url.password ? '***' : '';
  return url.toString();
}

/** Boots the demo host on loopback with the rate limit off; its origin, e.g. http://127.0.0.1:40123. */
async function startHost(
  database: DatabaseConfig,
  tokenCache?: IdentityModuleOptions['tokenCache'],
): Promise<{ app: INestApplication; origin: string }> {
  const app = await createDemoApp(
    {
      database,
      port: 0,
      identity: {
        tokenSecret: 'x'.repeat(40),
        rateLimit: false,
        tokenCache,
        // As the demo host's own config does: PostgreSQL carries invalidations between instances.
        invalidation:
          database.type === 'postgres' ? { driver: 'postgres', url: database.url } : { driver: 'local' },
      },
    },
    ['error'],
  );
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}` };
}

/** One GET with a JSON body (Explo's get-or-create takes its fields in a GET body); the parsed answer. */
function getJson(
  origin: string,
  path: string,
  headers: Record<string, string>,
  body: unknown,
): Promise<unknown> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL(path, origin),
      {
        method: 'GET',
        headers: {
          ...headers,
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(payload)),
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', reject);
        response.on('end', () =>
          response.statusCode === 200
            ? resolve(JSON.parse(text))
            : reject(new Error(`GET ${path} answered ${response.statusCode}: ${text}`)),
        );
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
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

/** A markdown table with padded columns (numbers right-aligned), so Prettier leaves it as it is. */
function markdownTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Runs every scenario ROUNDS times on one database, interleaved, and returns its section of the report. */
async function benchmarkDatabase(database: BenchDatabase, worker: Worker): Promise<string> {
  const cached = await startHost(database.config);
  const uncached = await startHost(database.config, { ttlMs: 0 }).catch(async (err: unknown) => {
    await cached.app.close();
    throw err;
  });
  try {
    const workspace = await cached.app.get(WorkspacesService).create('Benchmark workspace');
    const { secret: writeKey } = await cached.app
      .get(ApiKeysService)
      .create(workspace.id, { name: 'benchmark write key', scope: 'write' });
    const { secret: readKey } = await cached.app
      .get(ApiKeysService)
      .create(workspace.id, { name: 'benchmark read key', scope: 'read' });
    const groupBody = { name: 'Benchmark group', user_group_id: 'bench_group_1' };
    const created = (await getJson(
      cached.origin,
      '/api/user',
      { Authorization: `Token ${writeKey}` },
      groupBody,
    )) as {
      user_group: { token: string };
    };
    const embedToken = created.user_group.token;

    const baseline: Scenario = {
      name: 'baseline: GET /health (no auth, one SELECT 1)',
      host: 'cached',
      path: '/health',
    };
    const scenarios: Scenario[] = [
      baseline,
      {
        name: 'GET /whoami, API key, cache on (HMAC + LRU hit)',
        host: 'cached',
        path: '/whoami',
        headers: { Authorization: `Token ${readKey}` },
      },
      {
        name: 'GET /whoami, API key, cache off (ttlMs 0: DB lookup)',
        host: 'uncached',
        path: '/whoami',
        headers: { Authorization: `Token ${readKey}` },
      },
      {
        name: 'GET /whoami/user-group, embed token, cache on',
        host: 'cached',
        path: '/whoami/user-group',
        headers: { Authorization: `Token ${embedToken}` },
      },
      {
        name: 'GET /whoami/user-group, embed token, cache off',
        host: 'uncached',
        path: '/whoami/user-group',
        headers: { Authorization: `Token ${embedToken}` },
      },
      {
        name: 'GET /api/user, get-or-create of an existing group',
        host: 'cached',
        path: '/api/user',
        headers: { Authorization: `Token ${writeKey}`, 'Content-Type': 'application/json' },
        body: groupBody,
      },
    ];

    const load = (scenario: Scenario, requests: number) =>
      runLoad(worker, {
        origin: scenario.host === 'cached' ? cached.origin : uncached.origin,
        path: scenario.path,
        headers: scenario.headers ?? {},
        body: scenario.body === undefined ? undefined : JSON.stringify(scenario.body),
        warmup: WARMUP_REQUESTS,
        requests,
        concurrency: CONCURRENCY,
      });
    // An unmeasured pass first, so that the JIT has seen every route before round 1 starts.
    for (const scenario of scenarios) {
      await load(scenario, WARMUP_REQUESTS);
    }
    const measured = new Map<Scenario, Measurement[]>(scenarios.map((s) => [s, []]));
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round so that no scenario always runs first, or right after the same one.
      const order = scenarios.map((_, i) => scenarios[(i + round) % scenarios.length]);
      for (const scenario of order) {
        measured.get(scenario)?.push(await load(scenario, MEASURED_REQUESTS));
      }
      const perScenario = scenarios.map((s) => measured.get(s)?.[round].requestsPerSecond.toFixed(0));
      console.log(
        `  ${database.kind} round ${round + 1}/${ROUNDS}, req/s in table order: ${perScenario.join(', ')}`,
      );
    }

    const baselineRounds = measured.get(baseline) ?? [];
    const rows = scenarios.map((scenario) => {
      const rounds = measured.get(scenario) ?? [];
      // Each round's ratio compares two runs a few seconds apart; the median of those resists drift.
      const ratio = median(rounds.map((m, i) => m.requestsPerSecond / baselineRounds[i].requestsPerSecond));
      return [
        scenario.name,
        median(rounds.map((m) => m.requestsPerSecond)).toFixed(0),
        median(rounds.map((m) => m.p50Ms)).toFixed(2),
        median(rounds.map((m) => m.p99Ms)).toFixed(2),
        `${ratio.toFixed(2)}×`,
      ];
    });
    return [
      `## ${database.label}`,
      '',
      markdownTable(
        ['scenario', 'median req/s', 'p50 ms', 'p99 ms', 'ratio vs baseline (throughput)'],
        rows,
        [false, true, true, true, true],
      ),
    ].join('\n');
  } finally {
    await uncached.app.close();
    await cached.app.close();
  }
}

const startedAt = new Date();
const header = [
  '# Token-check benchmark',
  '',
  `- date: ${startedAt.toISOString()}`,
  `- node: ${process.version}`,
  `- nproc: ${availableParallelism()}`,
  `- load: ${MEASURED_REQUESTS} requests per scenario after ${WARMUP_REQUESTS} warm-up, concurrency ${CONCURRENCY}, ` +
    'keep-alive HTTP on 127.0.0.1 from a worker thread; rate limit off',
  `- ${ROUNDS} rounds with the scenarios interleaved (order rotated per round); req/s, p50 and p99 are medians ` +
    'over rounds; the ratio is the median of per-round ratios to the baseline of the same round',
  '- baseline: `GET /health`, the cheapest unauthenticated route of the demo host, which runs one `SELECT 1`',
  '- absolute numbers belong to this machine and this run only: compare the ratios',
].join('\n');
console.log(`${header}\n`);

const sections: string[] = [];
const worker = new Worker(new URL('./http-load.worker.js', import.meta.url));
try {
  for (const create of [async () => createSqliteDatabase(), createPostgresDatabase]) {
    const database = await create();
    if (typeof database === 'string') {
      sections.push(database);
      console.log(`${database}\n`);
      continue;
    }
    try {
      const section = await benchmarkDatabase(database, worker);
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
console.log(
  `Wrote ${RESULTS_FILE.pathname} (${((Date.now() - startedAt.getTime()) / 1000).toFixed(1)} s of benchmarking).`,
);
