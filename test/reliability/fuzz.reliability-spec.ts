import { appendFileSync, mkdirSync } from 'node:fs';
import { expect, it } from '@jest/globals';
import fc from 'fast-check';
import { describeWithApp } from '../utils/describe-with-app.js';
import { recordFigure } from './figures.js';
import { KeepAliveClient, type RawRequest, type RawResponse } from './support/client.js';
import { changedTables, DatabaseFingerprint } from './support/database-dump.js';
import { type FuzzTarget, requestArb } from './support/fuzz-requests.js';
import { openApiFields } from './support/openapi-fields.js';
import { fillPath, isSurfaceError, type MountedRoute, mountedRoutes } from './support/routes.js';
import { keyAuth, regpackHeaders, type SeededWorkspace, seedWorkspace } from './support/scenario.js';

/** Fixed, so a failure replays: `FUZZ_SEED=<n>` tries another sequence. */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_126);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
/** A fresh workspace every this many requests: deletes and rotations early on would otherwise leave later requests nothing to reach. */
const ROUND = 2_000;
/** Bounds the run: a hang or a crawl stops here instead of at Jest's timeout (the count is then asserted). */
const TIME_LIMIT_MS = Number(process.env.FUZZ_TIME_LIMIT_MS ?? 200_000);
const NONEXISTENT_UUID = '00000000-0000-7000-8000-000000000000';

/**
 * Columns a refused request may legitimately write: a key's `last_used_at` records that the key
 * authenticated, whatever the request then asked for. Nothing else.
 */
const VOLATILE = { identity_api_keys: ['last_used_at'] };

const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).join(',');

/** Whether Object.prototype still has its own properties, `constructor` and `__proto__` among them. */
function prototypesIntact(): boolean {
  return (
    Object.getOwnPropertyNames(Object.prototype).join(',') === PROTO_KEYS &&
    Object.prototype.constructor === Object &&
    Object.getPrototypeOf({}) === Object.prototype
  );
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The header sets a route might accept; each route keeps those that get past its guard. */
function candidateCredentials(ws: SeededWorkspace): Record<string, string>[] {
  return [
    {},
    keyAuth(ws.writeKey),
    regpackHeaders(ws.writeKey),
    { authorization: `Token ${ws.embedToken}` },
    bearer(ws.accessToken),
    bearer(ws.sessionToken),
  ];
}

function badCredentials(ws: SeededWorkspace, other: SeededWorkspace): Record<string, string>[] {
  const tamper = (token: string) => `${token.slice(0, -4)}${token.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
  return [
    {},
    keyAuth(ws.revokedKey),
    keyAuth(ws.readKey),
    keyAuth(tamper(ws.writeKey)),
    keyAuth(ws.writeKey.slice(0, 12)),
    bearer(tamper(ws.accessToken)),
    bearer(tamper(ws.sessionToken)),
    { authorization: `Token ${tamper(ws.embedToken)}` },
    { authorization: 'Token' },
    { authorization: `Bearer ${'a'.repeat(4_000)}` },
    keyAuth(other.writeKey),
    { ...regpackHeaders(ws.writeKey), timestamp: 'not a time' },
    { ...regpackHeaders(ws.writeKey), timestamp: '' },
    { ...regpackHeaders(ws.writeKey), timestamp: '2026-01-01T00:00:00' }, // no offset
    { ...regpackHeaders(ws.writeKey), timestamp: '99999999999999' },
    { ...regpackHeaders(ws.writeKey), timestamp: '-1' },
    { ...regpackHeaders(ws.writeKey), timestamp: 'NaN' },
    { ...regpackHeaders(ws.writeKey), timestamp: String(Math.floor(Date.now() / 1000) - 3_600) },
    { ...regpackHeaders(ws.writeKey), 'api-id': 'wrongid1' },
    { 'api-token': ws.writeKey },
  ];
}

/** The header sets that get past `route`'s guard: probed with a nonexistent id, so nothing is deleted. */
async function credentialsOf(
  client: KeepAliveClient,
  route: MountedRoute,
  candidates: Record<string, string>[],
): Promise<Record<string, string>[]> {
  const url = fillPath(
    route,
    route.params.map(() => NONEXISTENT_UUID),
  );
  const passing: Record<string, string>[] = [];
  for (const headers of candidates) {
    const res = await client.json(route.method, url, headers, {});
    if (res.status !== 401) {
      passing.push(headers);
    }
  }
  return passing;
}

/** Each failing case in full, one JSON line each, to replay it (`.test-results/reliability/fuzz-failures.jsonl`). */
function keepCase(req: RawRequest, res: RawResponse, problem: string): void {
  mkdirSync('.test-results/reliability', { recursive: true });
  appendFileSync(
    '.test-results/reliability/fuzz-failures.jsonl',
    `${JSON.stringify({ problem, db: process.env.IDENTITY_DB ?? 'sqlite', req, status: res.status, body: res.text.slice(0, 2_000) })}\n`,
  );
}

function describeCase(req: RawRequest, res: RawResponse, problem: string): string {
  keepCase(req, res, problem);
  const body =
    req.body && req.body.length > 300 ? `${req.body.slice(0, 300)}…(${req.body.length})` : req.body;
  return `${problem}: ${req.method} ${req.url.slice(0, 300)} headers=${JSON.stringify(req.headers).slice(0, 300)} body=${JSON.stringify(body)} → ${res.status} ${res.text.slice(0, 300)}`;
}

describeWithApp(
  'fuzzing every mounted route',
  (ctx) => {
    it(
      `answers ${REQUESTS} random and adversarial requests without a 5xx, in each surface's error shape, changing nothing when refusing`,
      async () => {
        const t = ctx.app;
        const client = await KeepAliveClient.of(t.app);
        const routes = mountedRoutes(t.app);
        // every surface is found (a route left to the host's shape would hide a surface's wrong shape)
        expect(new Set(routes.map((r) => r.surface))).toEqual(
          new Set(['explo', 'dixa', 'zaia', 'regpack', 'management', 'host']),
        );
        const fields = await openApiFields(client);
        const other = await seedWorkspace(t, client);
        const fingerprint = await DatabaseFingerprint.of(t.dataSource, VOLATILE);

        const failures: string[] = [];
        let sent = 0;
        let serverErrors = 0;
        let shapeViolations = 0;
        let writesByRejected = 0;
        const statuses = new Map<number, number>();
        let polluted: string | undefined;
        const deadline = Date.now() + TIME_LIMIT_MS;

        for (let round = 0; sent < REQUESTS && Date.now() < deadline && !polluted; round++) {
          const ws = await seedWorkspace(t, client, round === 0 ? t.workspace : undefined);
          const candidates = candidateCredentials(ws);
          const target: FuzzTarget = {
            routes,
            credentials: await Promise.all(routes.map((r) => credentialsOf(client, r, candidates))),
            badCredentials: badCredentials(ws, other),
            routeFields: routes.map((r) => fields.of(r)),
            allFields: fields.names,
            enums: fields.enums,
            ownIds: ws.ids,
            otherIds: [
              ...Object.values(other.ids),
              NONEXISTENT_UUID,
              '1',
              '999999999',
              String(other.groupId),
            ],
            plausible: [
              ...Object.values(ws.ids),
              ws.groupId,
              String(ws.groupId),
              ws.parentClogin,
              Number(ws.childClogin),
              ws.embedToken,
              ws.accessToken,
              other.parentClogin,
              other.groupId,
              'reliability@example.com',
              '+4512345678',
            ],
          };
          const requests = fc.sample(requestArb(target), {
            seed: SEED + round,
            numRuns: Math.min(ROUND, REQUESTS - sent),
          });
          let before = await fingerprint.take();
          for (const { route, req } of requests) {
            if (Date.now() >= deadline) {
              break;
            }
            const res = await client.send(req);
            sent += 1;
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            const after = await fingerprint.take();
            if (!prototypesIntact()) {
              // every later request would fail for this one's sake: stop here, naming it
              polluted = describeCase(req, res, 'damaged Object.prototype');
              break;
            }
            if (res.status >= 500) {
              serverErrors += 1;
              failures.push(describeCase(req, res, '5xx'));
            } else if (res.status >= 400) {
              if (!isSurfaceError(route.surface, res.status, res.json)) {
                shapeViolations += 1;
                failures.push(describeCase(req, res, `not in the ${route.surface} error shape`));
              }
              const changed = changedTables(before, after);
              if (changed.length > 0) {
                writesByRejected += 1;
                failures.push(describeCase(req, res, `refused, yet changed ${changed.join(', ')}`));
              }
            }
            before = after;
          }
        }

        const health = await client.json('GET', '/health', {});
        const known = await client.json('GET', '/identity/api-keys', keyAuth(t.workspace.readKey));
        client.close();
        const detail = `seed ${SEED}, ${routes.length} routes, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`;
        recordFigure('fuzz requests sent', sent, detail);
        recordFigure('fuzz 5xx responses', serverErrors);
        recordFigure('fuzz error-shape violations', shapeViolations);
        recordFigure('fuzz refused requests that wrote', writesByRejected);
        recordFigure('fuzz requests that damaged Object.prototype', polluted ? 1 : 0, polluted ?? '');
        expect(polluted).toBeUndefined();
        expect(failures.slice(0, 20)).toEqual([]);
        expect(sent).toBeGreaterThanOrEqual(REQUESTS);
        expect(health.status).toBe(200);
        expect(known.status).toBe(200);
      },
      TIME_LIMIT_MS + 120_000,
    );
  },
  { adapter: 'express' },
);
