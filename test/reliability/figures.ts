import { appendFileSync, mkdirSync } from 'node:fs';

/**
 * Records one figure of the reliability run (fuzz requests sent, 5xx seen, isolation cells, leaks…).
 * `test/reliability/run.mjs` reads them back into the table the README shows.
 */
export function recordFigure(name: string, value: number | string, detail = ''): void {
  mkdirSync('.test-results/reliability', { recursive: true });
  const db = process.env.IDENTITY_DB ?? 'sqlite';
  appendFileSync(
    '.test-results/reliability/figures.jsonl',
    `${JSON.stringify({ name, value, detail, db })}\n`,
  );
}
