import { afterEach, describe, expect, it } from '@jest/globals';
import { mintToken } from '../libs/identity/src/index.js';
import { withKey } from './utils/fixtures.js';
import { createTestApp, type TestApp } from './utils/test-app.js';
import { countQueries } from './utils/query-counter.js';

// Acceptance probe (issue 8, item 1): floods of well-formed but unknown credentials against guarded host
// routes, with the module's DEFAULT failure limit (30 failures per client per 60 s window), must cost a
// bounded number of database queries and end in 429s with Retry-After.
const DEFAULT_MAX_FAILURES = 30;
const DEFAULT_WINDOW_SECONDS = 60;
const FLOOD = 2000;

/**
 * Sends `n` GETs to `path` one after another, each with the `Authorization` that `credential()` returns,
 * and tallies the answers. (fetch over kept-alive connections: supertest's cost per request would make
 * thousands of requests slow.)
 */
async function flood(t: TestApp, n: number, path: string, credential: () => string) {
  const statuses: Record<number, number> = {};
  const retryAfters = new Set<number>();
  let firstRefusal = -1;
  const url = `${await t.app.getUrl()}${path}`;
  for (let i = 0; i < n; i++) {
    const res = await fetch(url, { headers: { authorization: credential() } });
    await res.arrayBuffer();
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    if (res.status === 429) {
      firstRefusal = firstRefusal < 0 ? i : firstRefusal;
      retryAfters.add(Number(res.headers.get('retry-after')));
    }
  }
  return { statuses, retryAfters: [...retryAfters], firstRefusal };
}

describe('unknown-credential floods with the default failure limit', () => {
  let t: TestApp;

  async function boot(): Promise<TestApp> {
    // undefined: the module's defaults, not the test helper's very high limit for ordinary specs
    t = await createTestApp({ identity: { authFailures: undefined } });
    await t.app.listen(0, '127.0.0.1');
    return t;
  }

  afterEach(async () => {
    await t.close();
  });

  const KINDS = [
    ['ugt_ tokens at @UserGroupAuth()', '/whoami/user-group', () => `Token ${mintToken('ugt', 32)}`],
    ['idk_ keys at @ApiKeyAuth()', '/whoami', () => mintToken('idk', 24)],
  ] as const;

  it.each(KINDS)(
    `answers ${FLOOD} unknown %s with at most ${DEFAULT_MAX_FAILURES} queries, then 429s with Retry-After`,
    async (_kind, path, mint) => {
      await boot();
      const queries = countQueries(t.dataSource);
      const result = await flood(t, FLOOD, path, mint);
      queries.stop();

      expect(queries.count()).toBeLessThanOrEqual(DEFAULT_MAX_FAILURES);
      expect(result.statuses).toEqual({ 401: DEFAULT_MAX_FAILURES, 429: FLOOD - DEFAULT_MAX_FAILURES });
      expect(result.firstRefusal).toBe(DEFAULT_MAX_FAILURES);
      expect(Math.min(...result.retryAfters)).toBeGreaterThanOrEqual(1);
      expect(Math.max(...result.retryAfters)).toBeLessThanOrEqual(DEFAULT_WINDOW_SECONDS);
    },
    120_000, // a hang detector: thousands of requests on a busy machine
  );

  it.each(KINDS)(
    'costs one query for one unknown credential among %s, however often it is repeated',
    async (_kind, path, mint) => {
      await boot();
      const credential = mint();
      const queries = countQueries(t.dataSource);
      const result = await flood(t, 100, path, () => credential);
      queries.stop();

      expect(queries.count()).toBe(1);
      // Only failures that cost a lookup count against the address: the repeats are remembered
      // unknowns, free to answer, so they stay 401s and cannot lock a shared address (a NAT) out.
      expect(result.statuses).toEqual({ 401: 100 });
    },
  );

  it('keeps serving a cached valid key from the same address while unknown ones are refused', async () => {
    await boot();
    expect((await t.http.get('/whoami').set(withKey(t, 'write'))).status).toBe(200);
    const result = await flood(t, DEFAULT_MAX_FAILURES + 5, '/whoami', () => mintToken('idk', 24));
    expect(result.statuses[429]).toBe(5);
    expect((await t.http.get('/whoami').set(withKey(t, 'write'))).status).toBe(200);
  });
});
