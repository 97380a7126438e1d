import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import { INVALIDATE_ALL, PostgresInvalidationBus } from '../libs/identity/src/index.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from './utils/database.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The invalidation bus sessions open on the test database (the bus names its connection). */
async function listenSessions(admin: pg.Client, database: string): Promise<number[]> {
  const rows = await admin.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'nestjs-identity-invalidation'",
    [database],
  );
  return rows.rows.map((r) => r.pid);
}

async function until(check: () => Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) {
      return true;
    }
    await sleep(50);
  }
  return false;
}

(TEST_DB === 'postgres' ? describe : describe.skip)('PostgreSQL invalidation bus', () => {
  let database: TestDatabase;
  let url: string;
  let name: string;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    url = (database.config as { url: string }).url;
    name = new URL(url).pathname.slice(1);
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
  });

  afterAll(async () => {
    await admin.end();
    await database.drop();
  });

  it('delivers tags to the other instance only, and reconnects after its connection is killed', async () => {
    const a = new PostgresInvalidationBus(url);
    const b = new PostgresInvalidationBus(url);
    const seenByA: string[][] = [];
    const seenByB: string[][] = [];
    await a.subscribe((tags) => seenByA.push(tags));
    await b.subscribe((tags) => seenByB.push(tags));
    try {
      await a.publish(['api-key:1']);
      expect(await until(async () => seenByB.length === 1)).toBe(true);
      expect(seenByB[0]).toEqual(['api-key:1']);
      expect(seenByA).toEqual([]); // an instance does not hear its own messages

      const before = await listenSessions(admin, name);
      await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
      // after reconnecting, each drops its whole cache (messages may have been missed) ...
      expect(await until(async () => seenByB.some((tags) => tags.includes(INVALIDATE_ALL)))).toBe(true);
      // ... and hears messages again
      expect(await until(async () => (await listenSessions(admin, name)).length === 2)).toBe(true);
      await a.publish(['user-group:2']);
      expect(await until(async () => seenByB.some((tags) => tags.includes('user-group:2')))).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
    expect(await until(async () => (await listenSessions(admin, name)).length === 0)).toBe(true);
  });

  it('does not come back after close(), even when closed while a reconnect is pending', async () => {
    const bus = new PostgresInvalidationBus(url);
    await bus.subscribe(() => undefined);
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [
      await listenSessions(admin, name),
    ]);
    await sleep(100); // the bus has seen the loss and scheduled its reconnect
    await bus.close();
    await sleep(1500); // past the reconnect delay
    expect(await listenSessions(admin, name)).toEqual([]);
  });

  it('sends on the tags it invalidated while its own connection was down', async () => {
    const a = new PostgresInvalidationBus(url);
    const b = new PostgresInvalidationBus(url);
    const seenByB: string[][] = [];
    await a.subscribe(() => undefined);
    const [aPid] = await listenSessions(admin, name); // A's session: the only one so far
    await b.subscribe((tags) => seenByB.push(tags));
    try {
      await admin.query('SELECT pg_terminate_backend($1)', [aPid]);
      await sleep(100); // A has noticed; its reconnect is a second away
      await a.publish(['api-key:while-down']);
      expect(await until(async () => seenByB.some((tags) => tags.includes('api-key:while-down')))).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('leaves no reconnect loop behind when the first connection fails', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const missing = new URL(url);
      missing.pathname = '/identity_database_that_does_not_exist';
      const bus = new PostgresInvalidationBus(missing.toString());
      await expect(bus.subscribe(() => undefined)).rejects.toThrow();
      await sleep(2500); // past two reconnect delays
      expect(warn.mock.calls.filter((call) => String(call[0]).includes('reconnecting'))).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });
});
