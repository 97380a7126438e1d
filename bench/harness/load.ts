import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from './load.worker.js';

export type { LoadJob, LoadResult };

/** The HTTP load generator: autocannon in a child process of its own (see load.worker.ts), started once. */
let generator: ChildProcess | undefined;

/** One run of `job` against a route, on the generator's core rather than the server's. */
export function load(job: LoadJob): Promise<LoadResult> {
  generator ??= fork(fileURLToPath(new URL('./load.worker.js', import.meta.url)), { stdio: 'inherit' });
  const child = generator;
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the load generator exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (message: LoadResult | { error: string }) => {
      child.off('exit', onExit);
      if ('error' in message) {
        reject(new Error(message.error));
      } else {
        resolve(message);
      }
    });
    child.send(job);
  });
}

/** Stops the load generator (the next `load` starts another). */
export function stopLoadGenerator(): void {
  generator?.kill();
  generator = undefined;
}
