// Token checks on the demo host (DESIGN.md §6: hash → in-process LRU → database), in the harness. Boots the
// demo host twice on one database, once with the token cache and once without (ttlMs 0), and loads it over
// HTTP on 127.0.0.1 against `GET /health` (no auth, one `SELECT 1`) measured in the same rounds:
//  - group 1: API key and embed token with the cache on (HMAC + LRU hit), target ≥0.90× /health;
//  - group 2: the same with the cache off (one DB lookup), and Explo's get-or-create: for information.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { ApiKeysService, type IdentityModuleOptions, WorkspacesService } from '../libs/identity/src/index.js';
import { createDemoApp } from '../src/bootstrap.js';
import type { DatabaseConfig } from '../src/config.js';
import { BENCH_TOKEN_SECRET } from './harness/boot.js';
import { type BenchDatabase, onEachDatabase } from './harness/databases.js';
import { type LoadTarget, LoadWorker } from './harness/load.js';
import { ms, row, type Target } from './harness/measure.js';
import type { BenchRow, Scenario } from './harness/types.js';

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
        tokenSecret: BENCH_TOKEN_SECRET,
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
          'Content-Length': Buffer.byteLength(payload),
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

async function tokenChecksOn(
  database: BenchDatabase,
  quick: boolean,
  worker: LoadWorker,
): Promise<BenchRow[]> {
  const cached = await startHost(database.config);
  const uncached = await startHost(database.config, { ttlMs: 0 }).catch(async (err: unknown) => {
    await cached.app.close();
    throw err;
  });
  try {
    const workspace = await cached.app.get(WorkspacesService).create('Benchmark workspace');
    const keys = cached.app.get(ApiKeysService);
    const { secret: writeKey } = await keys.create(workspace.id, {
      name: 'benchmark write key',
      scope: 'write',
    });
    const { secret: readKey } = await keys.create(workspace.id, {
      name: 'benchmark read key',
      scope: 'read',
    });
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
    const scenarios: { name: string; group: number; target: Target; load: LoadTarget }[] = [
      {
        name: 'GET /health',
        group: 1,
        target: 'info',
        load: { origin: cached.origin, path: '/health', headers: {} },
      },
      {
        name: 'GET /whoami, API key, cache on (HMAC + LRU hit)',
        group: 1,
        target: { atLeast: 0.9 },
        load: { origin: cached.origin, path: '/whoami', headers: { Authorization: `Token ${readKey}` } },
      },
      {
        name: 'GET /whoami/user-group, embed token, cache on',
        group: 1,
        target: { atLeast: 0.9 },
        load: {
          origin: cached.origin,
          path: '/whoami/user-group',
          headers: { Authorization: `Token ${embedToken}` },
        },
      },
      {
        name: 'GET /whoami, API key, cache off (ttlMs 0: DB lookup)',
        group: 2,
        target: 'info',
        load: { origin: uncached.origin, path: '/whoami', headers: { Authorization: `Token ${readKey}` } },
      },
      {
        name: 'GET /whoami/user-group, embed token, cache off',
        group: 2,
        target: 'info',
        load: {
          origin: uncached.origin,
          path: '/whoami/user-group',
          headers: { Authorization: `Token ${embedToken}` },
        },
      },
      {
        name: 'GET /api/user, get-or-create of an existing group',
        group: 2,
        target: 'info',
        load: {
          origin: cached.origin,
          path: '/api/user',
          headers: { Authorization: `Token ${writeKey}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(groupBody),
        },
      },
    ];
    const measured = await worker.compare(
      scenarios.map((s) => s.load),
      quick ? { rounds: 1, requests: 300, warmup: 50 } : { rounds: 5, requests: 2000, warmup: 200 },
    );
    const health = measured[0];
    return scenarios.slice(1).map((s, i) => {
      const m = measured[i + 1];
      return row({
        group: s.group,
        name: s.name,
        database: database.kind,
        adapter: 'express',
        ratio: m.ratio,
        baseline: 'GET /health of the demo host (throughput)',
        target: s.target,
        detail: `${m.requestsPerSecond.toFixed(0)} vs ${health.requestsPerSecond.toFixed(0)} req/s; p50 ${ms(m.p50Ms)}, p99 ${ms(m.p99Ms)}`,
      });
    });
  } finally {
    await uncached.app.close();
    await cached.app.close();
  }
}

/** The token-check rows, on SQLite and PostgreSQL. */
export const tokenCheckScenario: Scenario = async ({ quick }) => {
  const worker = new LoadWorker();
  try {
    return await onEachDatabase((database) => tokenChecksOn(database, quick, worker));
  } finally {
    await worker.close();
  }
};
