// Load generator for token-checks.bench.ts. It runs in a worker thread so that sending requests and
// timing them does not share an event loop with the server under test.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';

/** One measured run: a fixed number of identical requests after a fixed warm-up, `concurrency` at a time. */
export interface LoadJob {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  warmup: number;
  requests: number;
  concurrency: number;
}

/** What one run measured, or why it could not. */
export type LoadResult =
  { ok: true; requestsPerSecond: number; p50Ms: number; p99Ms: number } | { ok: false; error: string };

function send(agent: http.Agent, job: LoadJob, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      new URL(job.path, job.origin),
      { method: 'GET', agent, headers },
      (response) => {
        response.on('error', reject);
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.resume();
      },
    );
    request.on('error', reject);
    request.end(job.body);
  });
}

/** Sends `count` requests over `concurrency` keep-alive connections; latencies in ms by request index. */
async function sendAll(agent: http.Agent, job: LoadJob, count: number) {
  // Node sends a GET body neither chunked nor with a length unless told: give the length.
  const headers =
    job.body === undefined
      ? job.headers
      : { ...job.headers, 'Content-Length': String(Buffer.byteLength(job.body)) };
  const latencies = new Float64Array(count);
  const unexpected = new Map<number, number>();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      const started = performance.now();
      const status = await send(agent, job, headers);
      latencies[index] = performance.now() - started;
      if (status !== 200) {
        unexpected.set(status, (unexpected.get(status) ?? 0) + 1);
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  return { latencies, elapsedMs: performance.now() - started, unexpected };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

async function runLoad(job: LoadJob): Promise<LoadResult> {
  // A fresh agent per run: no socket left idle between runs can be closed under us by the server.
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  try {
    await sendAll(agent, job, job.warmup);
    const { latencies, elapsedMs, unexpected } = await sendAll(agent, job, job.requests);
    if (unexpected.size > 0) {
      const statuses = [...unexpected].map(([status, n]) => `${n}× HTTP ${status}`).join(', ');
      return { ok: false, error: `GET ${job.path} answered ${statuses} (expected 200)` };
    }
    latencies.sort();
    return {
      ok: true,
      requestsPerSecond: (job.requests / elapsedMs) * 1000,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
    };
  } catch (err) {
    return { ok: false, error: `GET ${job.path} failed: ${(err as Error).message}` };
  } finally {
    agent.destroy();
  }
}

parentPort?.on('message', (job: LoadJob) => {
  void runLoad(job).then((result) => parentPort?.postMessage(result));
});
