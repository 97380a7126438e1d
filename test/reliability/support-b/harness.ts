import { recordFigure } from '../figures.js';
import type { TestApp } from '../../utils/test-app.js';

/** What one HTTP call answered, and how long it took; `status` 0 means no answer within the timeout. */
export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
  ms: number;
  error?: string;
}

/** Default bound of one call: a request that takes longer counts as hung. */
export const CALL_TIMEOUT_MS = 10_000;

/**
 * One HTTP call with fetch (real sockets, so 50 of them really run at once), bounded by `timeoutMs`:
 * a call that gets no answer in time resolves with status 0 instead of hanging the spec.
 */
export async function call(
  baseUrl: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {},
): Promise<Answer> {
  const started = performance.now();
  const headers: Record<string, string> = { ...options.headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? CALL_TIMEOUT_MS),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body, headers: res.headers, ms: performance.now() - started };
  } catch (err) {
    return {
      status: 0,
      body: undefined,
      headers: new Headers(),
      ms: performance.now() - started,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    };
  }
}

/** Runs `n` calls of `make(i)` at once and waits for all of them. */
export function inParallel<T>(n: number, make: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => make(i)));
}

/** How many answers had each status: `{ 200: 1, 404: 49 }`. */
export function tally(answers: readonly Answer[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const a of answers) {
    counts[a.status] = (counts[a.status] ?? 0) + 1;
  }
  return counts;
}

/** Makes the test app listen on a free local port and answers its base URL. */
export async function listen(t: TestApp): Promise<string> {
  await t.app.listen(0, '127.0.0.1');
  return (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
}

/** Runs SQL with `?` placeholders on either database and answers the first column of the first row as a number. */
export async function scalar(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  let n = 0;
  const text = t.database.config.type === 'postgres' ? sql.replace(/\?/g, () => `$${++n}`) : sql;
  const rows: Record<string, unknown>[] = await t.dataSource.query(text, params);
  return Number(Object.values(rows[0] ?? {})[0] ?? 0);
}

/**
 * Invariants checked by one spec file, counted rather than thrown at once, so the figure of failures is
 * recorded even when one fails: `check()` each, then `record()` in afterAll and `expectNone()` in a test.
 */
export class Invariants {
  private readonly failures: string[] = [];
  private checked = 0;

  /** Counts one invariant; a false `holds` is a failure described by `what` and `detail`. */
  check(what: string, holds: boolean, detail: unknown = ''): boolean {
    this.checked++;
    if (!holds) {
      this.failures.push(`${what}: ${typeof detail === 'string' ? detail : JSON.stringify(detail)}`);
    }
    return holds;
  }

  /** The failures so far, described. */
  get failed(): readonly string[] {
    return this.failures;
  }

  /** Records the count of failures (and how many invariants were checked) as one figure. */
  record(name: string, detail: string): void {
    recordFigure(name, this.failures.length, `${this.checked} invariants checked; ${detail}`);
  }
}
