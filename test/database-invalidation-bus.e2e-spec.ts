import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { DatabaseInvalidationBus } from '../libs/identity/src/index.js';
import { typeOrmOptions } from '../src/config.js';
import { createTestDatabase, TEST_DB, type TestDatabase } from './utils/database.js';

const POLL_MS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) {
      return true;
    }
    await sleep(20);
  }
  return false;
}

/** A bus and everything its listener was handed. */
interface Listening {
  bus: DatabaseInvalidationBus;
  seen: string[][];
  heard(tag: string): boolean;
}

/**
 * The `database` bus on this leg's database (SQLite file or PostgreSQL), as two processes would use it:
 * each bus below sits on its own DataSource (its own connection) to one database.
 */
describe(`database invalidation bus (${TEST_DB})`, () => {
  let database: TestDatabase;
  let one: DataSource;
  let two: DataSource;
  const buses: DatabaseInvalidationBus[] = [];

  const open = async () => {
    const options = typeOrmOptions(database.config, { logging: false }) as DataSourceOptions;
    return new DataSource(options).initialize();
  };

  async function listen(dataSource: DataSource): Promise<Listening> {
    const bus = new DatabaseInvalidationBus(dataSource, POLL_MS);
    buses.push(bus);
    const seen: string[][] = [];
    await bus.subscribe((tags) => seen.push(tags));
    return { bus, seen, heard: (tag) => seen.some((tags) => tags.includes(tag)) };
  }

  const rows = async (): Promise<{ id: number; tags: string }[]> =>
    (await one.query('SELECT id, tags FROM identity_invalidations ORDER BY id')).map(
      (row: { id: string | number; tags: string }) => ({ id: Number(row.id), tags: row.tags }),
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    one = await open();
    await one.runMigrations();
    two = await open();
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
  });

  afterAll(async () => {
    await one.destroy();
    await two.destroy();
    await database.drop();
  });

  it('hands a publish on one instance to the other instance, never back to its own', async () => {
    const a = await listen(one);
    const b = await listen(two);
    await a.bus.publish(['api-key:1', 'user-group:2']);
    expect(await until(() => b.heard('api-key:1'))).toBe(true);
    expect(b.seen).toEqual([['api-key:1', 'user-group:2']]);
    await b.bus.publish(['api-key:3']);
    expect(await until(() => a.heard('api-key:3'))).toBe(true);
    // A has now read past its own row (ids are read in order) without handing it to its listener
    expect(a.seen).toEqual([['api-key:3']]);
    expect(b.seen).toEqual([['api-key:1', 'user-group:2']]);
  });

  it('loses nothing when instances publish at the same time', async () => {
    // On PostgreSQL the publishers use two connection pools. Two SQLite connections of one process cannot
    // interleave writes (better-sqlite3 waits for a lock synchronously, blocking the thread that holds it;
    // two processes can), so there both publish through one DataSource, whose transactions take turns.
    const a = await listen(one);
    const b = await listen(TEST_DB === 'postgres' ? two : one);
    const c = await listen(two);
    const tags = Array.from({ length: 30 }, (_, i) => `api-key:concurrent-${i}`);
    await Promise.all(tags.map((tag, i) => (i % 2 === 0 ? a : b).bus.publish([tag])));
    expect(await until(() => tags.every((tag) => c.heard(tag)))).toBe(true);
    const ids = (await rows()).map((row) => row.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('starts after the newest row already written: a restarted instance is not handed old tags', async () => {
    const a = await listen(one);
    await a.bus.publish(['api-key:before-restart']);
    const restarted = await listen(two);
    await a.bus.publish(['api-key:after-restart']);
    expect(await until(() => restarted.heard('api-key:after-restart'))).toBe(true);
    expect(restarted.seen).toEqual([['api-key:after-restart']]);
  });

  it('prunes rows past their retention with a later publish, and keeps the fresh ones', async () => {
    const a = await listen(one);
    await a.bus.publish(['api-key:old']);
    const oldIds = (await rows()).map((row) => row.id);
    await one.query(
      TEST_DB === 'postgres'
        ? "UPDATE identity_invalidations SET created_at = LOCALTIMESTAMP - INTERVAL '1 hour'"
        : "UPDATE identity_invalidations SET created_at = datetime('now', '-1 hour')",
    );
    const fresh = await listen(one); // a first publish prunes; later ones at most every few seconds
    await fresh.bus.publish(['api-key:fresh']);
    const left = await rows();
    expect(left.map((row) => row.tags)).toEqual(['["api-key:fresh"]']);
    expect(left[0].id).toBeGreaterThan(Math.max(...oldIds)); // ids keep growing after a prune
    const b = await listen(two);
    await fresh.bus.publish(['api-key:after-prune']);
    expect(await until(() => b.heard('api-key:after-prune'))).toBe(true);
  });

  it('warns once while polling fails, keeps polling, and then delivers what it missed', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    try {
      const publisher = new DatabaseInvalidationBus(one, POLL_MS); // publishes, never polls
      const b = await listen(two);
      await one.query('ALTER TABLE identity_invalidations RENAME TO identity_invalidations_away');
      try {
        const polling = () => warn.mock.calls.filter((call) => String(call[0]).includes('poll'));
        expect(await until(() => polling().length > 0)).toBe(true);
        await sleep(POLL_MS * 6); // several more failed polls
        expect(polling()).toHaveLength(1);
      } finally {
        await one.query('ALTER TABLE identity_invalidations_away RENAME TO identity_invalidations');
      }
      await publisher.publish(['api-key:after-outage']);
      expect(await until(() => b.heard('api-key:after-outage'))).toBe(true);
      expect(log.mock.calls.map((call) => String(call[0]))).toContain(
        'Polling for invalidations works again',
      );
    } finally {
      log.mockRestore();
      warn.mockRestore();
    }
  });

  it('stops polling on close()', async () => {
    const query = jest.spyOn(two, 'query');
    try {
      const b = await listen(two);
      expect(await until(() => query.mock.calls.length >= 3)).toBe(true); // subscribe, then polls
      await b.bus.close();
      const after = query.mock.calls.length;
      await sleep(POLL_MS * 4);
      expect(query.mock.calls.length).toBe(after);
    } finally {
      query.mockRestore();
    }
  });
});
