import { Worker } from 'node:worker_threads';
import type { LoadJob, LoadResult } from '../http-load.worker.js';
import { median } from './measure.js';

/** One route under load: where, and with which headers (and GET body). */
export interface LoadTarget {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Medians over rounds, and the median per-round throughput ratio to the first target. */
export interface Compared extends Measurement {
  ratio: number;
  rounds: Measurement[];
}

/**
 * HTTP load from a worker thread (bench/http-load.worker.ts), so sending requests and timing them does not
 * share an event loop with a server under test in this process.
 */
export class LoadWorker {
  private readonly worker = new Worker(new URL('../http-load.worker.js', import.meta.url));

  run(job: LoadJob): Promise<Measurement> {
    return new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('message', (result: LoadResult) => {
        this.worker.off('error', reject);
        if (result.ok) {
          resolve(result);
        } else {
          reject(new Error(result.error));
        }
      });
      this.worker.postMessage(job);
    });
  }

  /**
   * Loads every target `rounds` times, interleaved (order rotated each round, so none always runs first
   * or after the same one), after one unmeasured pass; each against the first target of the list.
   */
  async compare(
    targets: LoadTarget[],
    options: { rounds: number; requests: number; warmup: number; concurrency?: number },
  ): Promise<Compared[]> {
    const load = (target: LoadTarget, requests: number) =>
      this.run({
        ...target,
        warmup: options.warmup,
        requests,
        concurrency: options.concurrency ?? 8,
      });
    for (const target of targets) {
      await load(target, options.warmup);
    }
    const measured = targets.map((): Measurement[] => []);
    for (let round = 0; round < options.rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const i = (k + round) % targets.length;
        measured[i].push(await load(targets[i], options.requests));
      }
    }
    return measured.map((rounds) => ({
      rounds,
      requestsPerSecond: median(rounds.map((m) => m.requestsPerSecond)),
      p50Ms: median(rounds.map((m) => m.p50Ms)),
      p99Ms: median(rounds.map((m) => m.p99Ms)),
      // Each round's ratio compares two runs seconds apart; the median of those resists drift.
      ratio: median(rounds.map((m, r) => m.requestsPerSecond / measured[0][r].requestsPerSecond)),
    }));
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
