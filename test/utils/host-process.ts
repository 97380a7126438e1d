import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { HostConfig } from '../../src/config.js';

/** A demo host running in a child process (its own time zone, its own caches), driven over HTTP. */
export interface HostProcess {
  http: TestAgent;
  stop(): Promise<void>;
}

const REGISTER = fileURLToPath(new URL('./ts-register.mjs', import.meta.url));
const ENTRY = fileURLToPath(new URL('./host-process.entry.ts', import.meta.url));
/** Transpiling the sources on a busy machine takes a while; this only catches a host that hangs. */
const READY_MS = 90_000;

/**
 * Starts the demo host as a separate Node process with the given environment (e.g. `TZ`), straight
 * from the TypeScript sources (no build needed), and resolves once it listens.
 */
export async function startHostProcess(
  config: HostConfig,
  env: NodeJS.ProcessEnv = {},
): Promise<HostProcess> {
  const child = spawn(process.execPath, ['--enable-source-maps', '--import', REGISTER, ENTRY], {
    env: { ...process.env, ...env, IDENTITY_HOST_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<{ url: string }>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout
        .split('\n')
        .slice(0, -1)
        .find((l) => l.startsWith('{"url"'));
      if (line) {
        resolve(JSON.parse(line) as { url: string });
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`The host process exited (${String(code)}) before listening:\n${stderr}`)),
    );
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`The host process did not listen within ${READY_MS} ms:\n${stderr}`)),
      READY_MS,
    );
  });
  try {
    const { url } = await Promise.race([ready, timeout]);
    return { http: request(url), stop: () => stopProcess(child) };
  } catch (err) {
    await stopProcess(child);
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = once(child, 'exit');
  child.kill('SIGTERM'); // the demo host enables shutdown hooks: it closes its pool and bus cleanly
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
