// Group 6 of the harness: two demo-host processes vs one, on one PostgreSQL database, with Redis holding the
// rate-limit counters and carrying invalidations (as a scaled-out deployment would run). Both processes run
// throughout; "one" loads process A with 16 connections, "two" loads A and B with 8 each, interleaved over
// rounds (autocannon, `GET /whoami` with an API key: guard with cache hit, then the per-key rate limit in
// Redis). Target: two ≥1.6× one. The machine's CPU use during "two" is recorded: on 2 cores the two hosts,
// PostgreSQL, Redis and the load generator share them, and that is what bounds the ratio.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ApiKeysService, WorkspacesService } from '../libs/identity/src/index.js';
import { BENCH_TOKEN_SECRET, bootContext } from './harness/boot.js';
import { atInterrupt, type BenchDatabase, onEachDatabase } from './harness/databases.js';
import { median, ms, row } from './harness/measure.js';
import type { BenchRow, Scenario } from './harness/types.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECTIONS = 16;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379), timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

interface Host {
  child: ChildProcess;
  origin: string;
  stop(): Promise<void>;
}

/** `node dist/src/main.js` (what `npm start` runs) on its own port; resolves once /health answers 200. */
async function startHost(database: BenchDatabase, redis: boolean): Promise<Host> {
  const port = await freePort();
  const child = spawn(process.execPath, [fileURLToPath(new URL('../src/main.js', import.meta.url))], {
    env: {
      ...process.env,
      IDENTITY_DB: 'postgres',
      DATABASE_URL: database.config.type === 'postgres' ? database.config.url : '',
      IDENTITY_TOKEN_SECRET: BENCH_TOKEN_SECRET,
      PORT: String(port),
      REDIS_URL: redis ? REDIS_URL : '',
      // The limit stays on (its counter is one Redis round trip per request) but never trips.
      IDENTITY_RATE_LIMIT_PER_SECOND: '1000000',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) {
        child.kill('SIGKILL');
      }
    }
  };
  const forget = atInterrupt(stop);
  child.once('exit', forget);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the demo host exited with ${child.exitCode}: ${stderr.trim()}`);
    }
    const ok = await fetch(`${origin}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      return { child, origin, stop };
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`the demo host did not answer /health within 60 s: ${stderr.trim()}`);
}

/** Busy and total CPU ticks of the whole machine so far (Linux /proc/stat); undefined elsewhere. */
function cpuTicks(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = fields[3] + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

async function load(
  origins: string[],
  key: string,
  seconds: number,
): Promise<{ requestsPerSecond: number; p99Ms: number; cpuBusy?: number }> {
  const before = cpuTicks();
  const results = await Promise.all(
    origins.map((origin) =>
      autocannon({
        url: `${origin}/whoami`,
        connections: CONNECTIONS / origins.length,
        duration: seconds,
        headers: { authorization: `Token ${key}` },
      }),
    ),
  );
  const after = cpuTicks();
  for (const result of results) {
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${result.url} answered ${result.non2xx} non-2xx and ${result.errors} errors`);
    }
  }
  return {
    requestsPerSecond: results.reduce((sum, r) => sum + r.requests.total / (r.duration || seconds), 0),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    cpuBusy: before && after ? (after.busy - before.busy) / (after.total - before.total) : undefined,
  };
}

async function processesOn(database: BenchDatabase, quick: boolean): Promise<BenchRow[]> {
  const redis = await reachable(REDIS_URL);
  // Schema and a key first, from this process; the hosts then start on a migrated database.
  const context = await bootContext(database.config);
  let key: string;
  try {
    const workspace = await context.get(WorkspacesService).create('Two processes');
    key = (await context.get(ApiKeysService).create(workspace.id, { name: 'bench', scope: 'read' })).secret;
  } finally {
    await context.close();
  }
  const a = await startHost(database, redis);
  let b: Host | undefined;
  try {
    b = await startHost(database, redis);
    const seconds = quick ? 1 : 5;
    const rounds = quick ? 1 : 3;
    await load([a.origin, b.origin], key, quick ? 1 : 2); // warm both up
    const one: number[] = [];
    const two: number[] = [];
    const ratios: number[] = [];
    const busy = { one: [] as number[], two: [] as number[] };
    let p99 = { one: 0, two: 0 };
    for (let round = 0; round < rounds; round++) {
      const runOne = () => load([a.origin], key, seconds);
      const runTwo = () => load([a.origin, b!.origin], key, seconds);
      const first = round % 2 === 0;
      const x = await (first ? runOne() : runTwo());
      const y = await (first ? runTwo() : runOne());
      const [single, double] = first ? [x, y] : [y, x];
      one.push(single.requestsPerSecond);
      two.push(double.requestsPerSecond);
      ratios.push(double.requestsPerSecond / single.requestsPerSecond);
      if (single.cpuBusy !== undefined && double.cpuBusy !== undefined) {
        busy.one.push(single.cpuBusy);
        busy.two.push(double.cpuBusy);
      }
      p99 = { one: single.p99Ms, two: double.p99Ms };
    }
    const ratio = median(ratios);
    const cores = availableParallelism();
    const percent = (values: number[]) => `${(median(values) * 100).toFixed(0)}%`;
    const cpu =
      busy.one.length > 0
        ? `; machine CPU busy ${percent(busy.one)} (one) and ${percent(busy.two)} (two), load average ` +
          `${loadavg()[0].toFixed(1)} on ${cores} cores`
        : '';
    const limit =
      ratio < 1.6
        ? `; bound by CPU: ${cores} cores shared by both hosts, PostgreSQL, Redis, the load generator (and ` +
          'other work on the machine): a second process adds no core to run on'
        : '';
    return [
      row({
        group: 6,
        name: `two demo-host processes, GET /whoami (API key, rate limit in ${redis ? 'Redis' : 'memory: Redis unreachable'})`,
        database: database.kind,
        adapter: 'express',
        ratio,
        baseline: 'one process, same connections (16)',
        target: { atLeast: 1.6 },
        detail:
          `${median(two).toFixed(0)} vs ${median(one).toFixed(0)} req/s, p99 ${ms(p99.two)} vs ${ms(p99.one)}; ` +
          `${rounds}×${seconds} s each${cpu}${limit}`,
      }),
    ];
  } finally {
    await b?.stop();
    await a.stop();
  }
}

/** Group 6, on PostgreSQL only (SQLite is one file in one process). */
export const processesScenario: Scenario = ({ quick }) =>
  onEachDatabase((database) => processesOn(database, quick), ['postgres']);
