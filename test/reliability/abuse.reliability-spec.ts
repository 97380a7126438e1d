import { afterEach, describe, expect, it } from '@jest/globals';
import { mintToken } from '../../libs/identity/src/index.js';
import { DEFAULT_HTTP_CONFIG, type HttpAdapterName } from '../../src/config.js';
import { createTestApp, HTTP_ADAPTERS, type TestApp } from '../utils/test-app.js';
import { recordFigure } from './figures.js';
import { call, listen, tally } from './support-b/harness.js';
import { declareBodyAndStall } from '../utils/raw-http.js';
import { countQueries } from '../utils/query-counter.js';

// Issue 15, abuse (the full acceptance probes are test/abuse.e2e-spec.ts and test/http-platform.e2e-spec.ts;
// this records their figures on both databases): a flood of well-formed unknown tokens at guarded host
// routes costs a bounded number of queries, and oversized bodies are refused on their declared length,
// before a byte is read, in each surface's shape.
const FLOOD = 500;
/** The module's default failure limit: 30 failed lookups per client per 60 s. */
const DEFAULT_MAX_FAILURES = 30;

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe('abuse: unknown-credential floods with the default failure limit', () => {
  it.each([
    ['embed tokens (ugt_) at @UserGroupAuth()', '/whoami/user-group', () => `Token ${mintToken('ugt', 32)}`],
    ['API keys (idk_) at @ApiKeyAuth()', '/whoami', () => mintToken('idk', 24)],
    ['access tokens at @ExternalUserAuth()', '/assistant/me', () => `Bearer ${mintToken('eut', 32)}`],
  ])(
    `answers ${FLOOD} unknown %s with at most ${DEFAULT_MAX_FAILURES} queries`,
    async (kind, path, mint) => {
      t = await createTestApp({ identity: { authFailures: undefined } }); // the module's defaults
      const url = await listen(t);
      const queries = countQueries(t.dataSource);
      const answers = [];
      for (let i = 0; i < FLOOD; i++) {
        answers.push(await call(url, 'GET', path, { headers: { authorization: mint() } }));
      }
      queries.stop();
      recordFigure(
        `abuse: queries for ${FLOOD} unknown ${kind.split(' ')[0]} ${kind.split(' ')[1]}`,
        queries.count(),
        `answers ${JSON.stringify(tally(answers))}; default limit ${DEFAULT_MAX_FAILURES} failures per client per 60 s`,
      );
      expect(queries.count()).toBeLessThanOrEqual(DEFAULT_MAX_FAILURES);
      expect(tally(answers)).toEqual({ 401: DEFAULT_MAX_FAILURES, 429: FLOOD - DEFAULT_MAX_FAILURES });
    },
    120_000,
  );
});

describe('abuse: oversized bodies', () => {
  const limit = DEFAULT_HTTP_CONFIG.bodyLimitBytes;
  const bulkLimit = DEFAULT_HTTP_CONFIG.largeBodyPaths['/beta/endusers'];
  /** One write route of each surface, its body limit, and its error shape. */
  const ROUTES = (): [string, number, (body: unknown) => boolean][] => [
    [
      '/api/user',
      limit,
      (b) =>
        (b as { success?: number }).success === 0 && typeof (b as { error?: unknown }).error === 'string',
    ],
    ['/beta/endusers/bulk', bulkLimit, (b) => Object.keys(b as object).join() === 'message'],
    ['/api/v1/channels', limit, (b) => typeof (b as { message?: unknown }).message === 'string'],
    [
      '/reg/api2/users',
      limit,
      (b) =>
        (b as { success?: boolean }).success === false && (b as { msg_type?: string }).msg_type === 'error',
    ],
    ['/identity/api-keys', limit, (b) => typeof (b as { message?: unknown }).message === 'string'],
  ];

  it.each(HTTP_ADAPTERS)(
    'refuses on %s a declared Content-Length over the limit at once (413, surface shape, connection closed)',
    async (adapter: HttpAdapterName) => {
      t = await createTestApp({ adapter });
      const url = await listen(t);
      const port = Number(new URL(url).port);
      const problems: string[] = [];
      let slowest = 0;
      for (const [path, routeLimit, shaped] of ROUTES()) {
        for (const declared of [routeLimit + 1, 50 * 1024 * 1024]) {
          const answer = await declareBodyAndStall(
            port,
            path,
            { authorization: t.workspace.writeKey },
            declared,
          );
          slowest = Math.max(slowest, answer.ms);
          if (
            answer.timedOut ||
            answer.status !== 413 ||
            !shaped(answer.body) ||
            answer.headers.connection !== 'close'
          ) {
            problems.push(
              `${path} declaring ${declared} B: ${answer.timedOut ? 'no answer' : answer.status} ${JSON.stringify(answer.body)}`,
            );
          }
        }
        // Exactly the limit is still read (and then judged on its content, not its size).
        const atLimit = await call(url, 'POST', path, {
          headers: { authorization: t.workspace.writeKey },
          body: { pad: 'x'.repeat(routeLimit - 11) }, // {"pad":"…"} is 10 bytes around the padding
        });
        if (atLimit.status === 413) {
          problems.push(`${path}: a body one byte under the limit was refused as too large`);
        }
      }
      recordFigure(
        `abuse: oversized bodies refused before reading (${adapter})`,
        `${ROUTES().length * 2 - problems.length}/${ROUTES().length * 2}`,
        `limit ${limit / 1024} KiB (${bulkLimit / 1024 / 1024} MiB under /beta/endusers); slowest refusal ${slowest} ms`,
      );
      expect(problems).toEqual([]);
      expect(slowest).toBeLessThan(1000); // refused on the header, not after a 3 s wait for the body
    },
    60_000,
  );
});
