import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { HostConfig } from '../../src/config.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createTestApp, TEST_TOKEN_SECRET } from './test-app.js';

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

/** Two demo-host processes on one fresh PostgreSQL database, with a workspace's write key. */
export interface TwoHostProcesses {
  database: TestDatabase;
  key: string;
  a: HostProcess;
  b: HostProcess;
  /** Stops both hosts and drops the database. */
  stop(): Promise<void>;
}

/**
 * Migrates a fresh PostgreSQL database and creates a workspace from this process first (so the two
 * hosts do not race to migrate), then starts two hosts on it at once, invalidating through LISTEN/NOTIFY,
 * rate limit off; `identity` adds to that, `envs` are each process's environment (e.g. `TZ`).
 */
export async function startTwoHostProcesses(
  identity: HostConfig['identity'],
  envs: [NodeJS.ProcessEnv, NodeJS.ProcessEnv] = [{}, {}],
): Promise<TwoHostProcesses> {
  const database = await createTestDatabase('postgres');
  const seed = await createTestApp({ database });
  const key = seed.workspace.writeKey;
  await seed.close();
  const url = database.config.type === 'postgres' ? database.config.url : '';
  const config: HostConfig = {
    database: database.config,
    port: 0,
    databaseLogging: false,
    identity: {
      tokenSecret: TEST_TOKEN_SECRET,
      rateLimit: false,
      invalidation: { driver: 'postgres', url },
      ...identity,
    },
  };
  const started = await Promise.allSettled(envs.map((env) => startHostProcess(config, env)));
  const hosts = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stop = async () => {
    for (const host of [...hosts].reverse()) {
      await host.stop();
    }
    await database.drop();
  };
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { database, key, a: hosts[0], b: hosts[1], stop };
}
