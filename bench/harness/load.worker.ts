// Load generator for the host-route benchmark: autocannon in a child process (autocannon treats a worker
// thread as one of its own workers and answers raw histograms there), so that sending requests and
// timing them runs on the other core and does not share an event loop with the server under test.
import autocannon from 'autocannon';

/** One measured run against one route. */
export interface LoadJob {
  url: string;
  headers: Record<string, string>;
  connections: number;
  /** Seconds of load. */
  seconds: number;
}

/** What one run measured: requests per second of 2xx answers, latency percentiles, and any non-2xx. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  /** Every request answered in the run. */
  requests: number;
  /** CPU the server process spent per request (set by the benchmark, which runs the server). */
  serverCpuUs?: number;
}

process.on('message', (job: LoadJob) => {
  autocannon(
    { url: job.url, headers: job.headers, connections: job.connections, duration: job.seconds },
    (err, result) => {
      if (err) {
        process.send?.({ error: err.message });
        return;
      }
      if (!result.latency) {
        process.send?.({ error: `no answers from ${job.url} in ${job.seconds} s` });
        return;
      }
      const ok = result.requests.total - result.non2xx;
      process.send?.({
        requestsPerSecond: ok / job.seconds,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        requests: result.requests.total,
      } satisfies LoadResult);
    },
  );
});
