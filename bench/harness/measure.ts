import { performance } from 'node:perf_hooks';
import type { BenchRow } from './types.js';

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

/** The p-th quantile (0…1) of `values`, interpolated between the two nearest ranks. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) {
    return Number.NaN;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * p;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/** Milliseconds `work` took. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/**
 * Times `work(i)` for i = 0…count-1 after `warmup` unmeasured calls (with i from `count` up), or, with
 * `'each'`, after one unmeasured pass over the same i (so every page they touch is in the cache); ms.
 */
export async function sample(
  count: number,
  work: (i: number) => Promise<unknown>,
  warmup: number | 'each' = Math.min(5, count),
): Promise<number[]> {
  for (let i = 0; i < (warmup === 'each' ? count : warmup); i++) {
    await work(warmup === 'each' ? i : count + i);
  }
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    times.push(await timed(() => work(i)));
  }
  return times;
}

/** What a ratio must be: at most, at least, between, or nothing (shown for information). */
export type Target = { atMost: number } | { atLeast: number } | { between: [number, number] } | 'info';

export function targetText(target: Target): string {
  if (target === 'info') {
    return 'info';
  }
  if ('atMost' in target) {
    return `≤${target.atMost}×`;
  }
  if ('atLeast' in target) {
    return `≥${target.atLeast}×`;
  }
  return `${target.between[0].toFixed(2)}–${target.between[1].toFixed(2)}×`;
}

export function meets(ratio: number, target: Target): boolean {
  if (target === 'info') {
    return true;
  }
  if ('atMost' in target) {
    return ratio <= target.atMost;
  }
  if ('atLeast' in target) {
    return ratio >= target.atLeast;
  }
  return ratio >= target.between[0] && ratio <= target.between[1];
}

/** A row of the table, with its target written out and judged. */
export function row(fields: Omit<BenchRow, 'target' | 'met'> & { target: Target }): BenchRow {
  const { target, ...rest } = fields;
  // Judged as shown (two decimals), so a row never reads `2.50×`, `≤2.5×`, missed.
  const ratio = Math.round(fields.ratio * 100) / 100;
  return { ...rest, ratio, target: targetText(target), met: meets(ratio, target) };
}

/** `12.3 ms`-style text for a duration (µs below 1 ms). */
export function ms(value: number): string {
  if (value < 1) {
    return `${(value * 1000).toFixed(0)} µs`;
  }
  return value >= 100
    ? `${value.toFixed(0)} ms`
    : value >= 10
      ? `${value.toFixed(1)} ms`
      : `${value.toFixed(2)} ms`;
}

/** `count` whole numbers spread over [1, max], the same each run (xorshift32 from `seed`). */
export function spread(count: number, max: number, seed = 1): number[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return Array.from({ length: count }, () => 1 + (next() % max));
}
