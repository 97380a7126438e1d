/** One line of `npm run bench`'s table: a measurement as a ratio to a baseline measured in the same run. */
export interface BenchRow {
  /** The group of issue 14: 1 host route per guard (cache hit), 2 cold guard, 3 bulk, 4 deep page, 5 lookup scale, 6 two processes, 7 argon2/login timing. */
  group: number;
  /** What was measured, e.g. `@ApiKeyAuth() cache hit`. */
  name: string;
  database: 'sqlite' | 'postgres' | '-';
  adapter?: 'express' | 'fastify';
  /** measured ÷ baseline, in the direction the target states. */
  ratio: number;
  /** What the ratio is against, e.g. `open route`, `raw chunked INSERT`. */
  baseline: string;
  /** e.g. `≥0.90×`, `≤1.5×`. */
  target: string;
  met: boolean;
  /** Raw figures behind the ratio: req/s, p50/p99, ms. */
  detail?: string;
}

/** A scenario of the harness: measures its rows (a small version when `quick`). */
export type Scenario = (options: { quick: boolean }) => Promise<BenchRow[]>;
