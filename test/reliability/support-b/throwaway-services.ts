import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A free TCP port on 127.0.0.1 (bound and released at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * A PostgreSQL server of its own (initdb into a temporary directory, its own port), so a spec can
 * restart or stop it without touching the server every other test uses.
 */
export interface ThrowawayPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** A fast restart (`pg_ctl restart -m fast`): every session is cut, then the server accepts again. */
  restart(): Promise<void>;
  /** Stops the server and deletes its directory. */
  destroy(): Promise<void>;
}

function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) {
    return undefined;
  }
  const version = readdirSync(root).sort().at(-1);
  const bin = version ? join(root, version, 'bin') : undefined;
  return bin && existsSync(join(bin, 'initdb')) ? bin : undefined;
}

/**
 * Starts a throwaway PostgreSQL cluster, or answers why it cannot (no server binaries, or a user that
 * cannot run them). As root the server runs as `postgres`, as PostgreSQL requires.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres | string> {
  const bin = postgresBin();
  if (!bin) {
    return 'no PostgreSQL server binaries under /usr/lib/postgresql';
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'identity-reliability-pg-'));
  const as = (command: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args);
  const port = await freePort();
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const pgCtl = (...args: string[]) =>
    as(join(bin, 'pg_ctl'), [
      '-D',
      join(dir, 'data'),
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      ...args,
    ]);
  try {
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: gid } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
    }
    await as(join(bin, 'initdb'), ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await pgCtl('-o', serverOptions, 'start');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    return `could not start a throwaway PostgreSQL: ${(err as Error).message.split('\n')[0]}`;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: async () => {
      await pgCtl('-m', 'fast', '-o', serverOptions, 'restart');
    },
    destroy: async () => {
      await pgCtl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Redis server of its own on a free port, which a spec may kill. */
export interface ThrowawayRedis {
  url: string;
  /** Kills the server (SIGKILL: no goodbye to its clients) and waits until it is gone. */
  kill(): Promise<void>;
}

/** Starts `redis-server` on a free port without persistence, or answers why it cannot. */
export async function startThrowawayRedis(): Promise<ThrowawayRedis | string> {
  const port = await freePort();
  let child: ChildProcess;
  try {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
  } catch (err) {
    return `could not start redis-server: ${(err as Error).message}`;
  }
  const ready = await new Promise<string | undefined>((resolve) => {
    let out = '';
    const timer = setTimeout(() => resolve('redis-server did not start within 10 s'), 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve(`could not start redis-server: ${err.message}`);
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve(undefined);
      }
    });
  });
  if (ready) {
    child.kill('SIGKILL');
    return ready;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
