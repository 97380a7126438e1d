import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config.js';

/** Which database this e2e run uses: the same specs run once with `sqlite` and once with `postgres`. */
export const TEST_DB: 'sqlite' | 'postgres' = process.env.IDENTITY_DB === 'postgres' ? 'postgres' : 'sqlite';

/** The server the PostgreSQL leg creates its throwaway databases on. */
export const ADMIN_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh, empty database for one test app, and how to throw it away. */
export interface TestDatabase {
  config: DatabaseConfig;
  drop(): Promise<void>;
}

/** Creates an empty database of the run's kind: its own PostgreSQL database, or its own SQLite file. */
export async function createTestDatabase(kind = TEST_DB): Promise<TestDatabase> {
  if (kind === 'postgres') {
    const name = `identity_e2e_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(ADMIN_DATABASE_URL);
    url.pathname = `/${name}`;
    return {
      config: { type: 'postgres', url: url.toString() },
      drop: async () => {
        const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await client.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'identity-e2e-'));
  return {
    config: { type: 'sqlite', path: join(dir, 'identity.sqlite') },
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}
