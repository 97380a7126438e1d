import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';
import type { BenchRow } from './types.js';

/** The server `npm run bench` makes its throwaway PostgreSQL databases on. */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A throwaway database for one scenario: a temp SQLite file or a PostgreSQL database of its own. */
export interface BenchDatabase {
  kind: Exclude<BenchRow['database'], '-'>;
  /** e.g. `PostgreSQL 15.20`. */
  label: string;
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** Runs one statement on the admin database (CREATE/DROP DATABASE, SHOW). */
export async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL, connectionTimeoutMillis: 3_000 });
  await admin.connect();
  try {
    return await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export function sqliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'identity-bench-'));
  return {
    kind: 'sqlite',
    label: 'SQLite',
    config: { type: 'sqlite', path: join(dir, 'identity.sqlite') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

let postgresVersion: Promise<string | undefined> | undefined;

/** The server's version, or undefined when it cannot be reached (its legs are then skipped, once said). */
export function postgresReachable(): Promise<string | undefined> {
  postgresVersion ??= adminQuery('SHOW server_version').then(
    // server_version reads like '15.20 (Debian 15.20-0+deb12u1)': keep the number.
    (result) => String(result.rows[0].server_version).split(' ')[0],
    (err: unknown) => {
      console.log(`PostgreSQL not reachable (${(err as Error).message}): its legs are skipped`);
      return undefined;
    },
  );
  return postgresVersion;
}

/** A database of its own on the server of DATABASE_URL, or undefined when that server is unreachable. */
export async function postgresDatabase(): Promise<BenchDatabase | undefined> {
  const version = await postgresReachable();
  if (version === undefined) {
    return undefined;
  }
  const name = `identity_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    kind: 'postgres',
    label: `PostgreSQL ${version}`,
    config: { type: 'postgres', url: url.toString() },
    drop: async () => {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

/** What an interrupted run (Ctrl-C) must still undo: drop databases, stop child processes. */
const cleanups = new Set<() => Promise<void>>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up (${cleanups.size}) before exiting`);
    void Promise.allSettled([...cleanups].map((cleanup) => cleanup())).then(() => process.exit(130));
  });
}

/** Registers `cleanup` to run if the run is interrupted; returns the function that unregisters it. */
export function atInterrupt(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/**
 * Runs `work` on a fresh SQLite database and on a fresh PostgreSQL database (when reachable), or on the
 * `kinds` given, dropping each afterwards, and returns all the rows.
 */
export async function onEachDatabase(
  work: (database: BenchDatabase) => Promise<BenchRow[]>,
  kinds: BenchDatabase['kind'][] = ['sqlite', 'postgres'],
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const kind of kinds) {
    const database = kind === 'sqlite' ? sqliteDatabase() : await postgresDatabase();
    if (!database) {
      continue;
    }
    const forget = atInterrupt(() => database.drop());
    try {
      rows.push(...(await work(database)));
    } finally {
      forget();
      await database.drop();
    }
  }
  return rows;
}
