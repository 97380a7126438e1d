import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { IDENTITY_MIGRATIONS } from '../libs/identity/src/index.js';
import { createTestDatabase, TEST_DB } from './utils/database.js';
import { tokenAuth } from './utils/fixtures.js';
import { type HostProcess, startTwoHostProcesses, type TwoHostProcesses } from './utils/host-process.js';

/** Long enough for a rotation and a check on a busy machine; the spec waits it out once. */
const GRACE_SECONDS = 4;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two real processes, one in UTC and one in New York, on one PostgreSQL database: every time the
 * module stores must mean the same instant to both. (SQLite always stores UTC text, whatever the
 * process's zone, and node-pg's zone handling is what this guards, so the SQLite leg skips it.)
 */
(TEST_DB === 'postgres' ? describe : describe.skip)(
  'instances in different time zones on one PostgreSQL database (skipped on SQLite: it stores UTC text whatever the zone)',
  () => {
    let hosts: TwoHostProcesses;
    let utc: HostProcess;
    let newYork: HostProcess;
    let key: string;

    beforeAll(async () => {
      hosts = await startTwoHostProcesses({ userGroups: { rotationGraceSeconds: GRACE_SECONDS } }, [
        { TZ: 'UTC' },
        { TZ: 'America/New_York' },
      ]);
      ({ a: utc, b: newYork, key } = hosts);
    }, 180_000); // two processes transpile and boot the host at once

    afterAll(async () => {
      await hosts?.stop();
    });

    /** Creates a user group through `via` and returns its first token. */
    async function tokenOf(via: HostProcess, providedId: string): Promise<string> {
      const res = await via.http
        .get('/api/user')
        .set(tokenAuth(key))
        .send({ name: providedId, user_group_id: providedId });
      expect(res.status).toBe(200);
      return res.body.user_group.token;
    }

    async function rotate(via: HostProcess, token: string): Promise<string> {
      const res = await via.http.post('/api/user').set(tokenAuth(key)).send({ current_token: token });
      expect(res.status).toBe(200);
      return res.body.user_group.token;
    }

    const status = async (via: HostProcess, token: string) =>
      (await via.http.get('/whoami/user-group').set(tokenAuth(token))).status;

    it('ends a rotation grace written by one instance at the same instant on the other, both ways', async () => {
      const east = await tokenOf(utc, 'rotated-in-new-york');
      const west = await tokenOf(utc, 'rotated-in-utc');

      // Within the grace window, the other instance still accepts the old token…
      const newEast = await rotate(newYork, east);
      expect(await status(utc, east)).toBe(200);
      const newWest = await rotate(utc, west);
      const rotatedBy = Date.now(); // both windows end at most GRACE_SECONDS after this
      expect(await status(newYork, west)).toBe(200);

      // …and refuses it once the window is over (a zone mismatch shifts the end by hours).
      await sleep(rotatedBy + GRACE_SECONDS * 1000 + 500 - Date.now());
      expect(await status(utc, east)).toBe(401);
      expect(await status(newYork, west)).toBe(401);
      for (const via of [utc, newYork]) {
        expect([await status(via, newEast), await status(via, newWest)]).toEqual([200, 200]);
      }
    });

    it('orders audit entries written alternately by both instances newest first, with the same instants on both', async () => {
      const created: string[] = [];
      for (let i = 0; i < 6; i++) {
        const via = i % 2 === 0 ? utc : newYork;
        const res = await via.http
          .post('/identity/api-keys')
          .set(tokenAuth(key))
          .send({ name: `key ${i}`, scope: 'read' });
        expect(res.status).toBe(201);
        created.push(res.body.data.id);
      }
      const auditVia = async (via: HostProcess) => {
        const res = await via.http.get('/identity/audit-log').set(tokenAuth(key));
        expect(res.status).toBe(200);
        return (res.body.data as { action: string; targetId: string; createdAt: string }[]).filter(
          (entry) => entry.action === 'api-key.create' && created.includes(entry.targetId),
        );
      };
      const [seenByUtc, seenByNewYork] = [await auditVia(utc), await auditVia(newYork)];
      expect(seenByUtc.map((entry) => entry.targetId)).toEqual([...created].reverse());
      expect(seenByNewYork).toEqual(seenByUtc);

      const keysVia = async (via: HostProcess) =>
        (await via.http.get('/identity/api-keys').set(tokenAuth(key))).body.data;
      expect(await keysVia(newYork)).toEqual(await keysVia(utc));
    });
  },
);

(TEST_DB === 'postgres' ? describe : describe.skip)(
  'the zone-safe-time migration (PostgreSQL only: SQLite keeps its UTC text)',
  () => {
    /** The module's migrations up to and including the one named. */
    const migrationsUpTo = (name: string) =>
      IDENTITY_MIGRATIONS.slice(0, IDENTITY_MIGRATIONS.findIndex((m) => new m().name === name) + 1);

    const columnsOfType = async (dataSource: DataSource, type: string) =>
      dataSource.query(
        `SELECT table_name, column_name FROM information_schema.columns
         WHERE table_name LIKE 'identity_%' AND data_type = $1`,
        [type],
      );

    it('reads the stored times as UTC whatever the session zone, and its down gives them back', async () => {
      const database = await createTestDatabase('postgres');
      const url = database.config.type === 'postgres' ? database.config.url : '';
      // A session zone other than UTC: the conversion must not depend on it.
      const open = (migrations: typeof IDENTITY_MIGRATIONS) =>
        new DataSource({
          type: 'postgres',
          url,
          migrations,
          logging: false,
          extra: { options: '-c TimeZone=America/New_York' },
        }).initialize();
      try {
        const before = await open(migrationsUpTo('IdentityUserGroups1764000000001'));
        await before.runMigrations();
        await before.query(
          `INSERT INTO identity_workspaces (id, name, created_at)
           VALUES ('00000000-0000-4000-8000-000000000001', 'W', '2026-01-02 03:04:05.678')`,
        );
        await before.destroy();

        const after = await open(migrationsUpTo('IdentityZoneSafeTime1764000000002'));
        await after.runMigrations();
        const [converted] = await after.query('SELECT created_at FROM identity_workspaces');
        expect((converted.created_at as Date).toISOString()).toBe('2026-01-02T03:04:05.678Z');
        expect(await columnsOfType(after, 'timestamp without time zone')).toEqual([]);

        await after.undoLastMigration();
        const [reverted] = await after.query('SELECT created_at::text AS at FROM identity_workspaces');
        expect(reverted.at).toBe('2026-01-02 03:04:05.678');
        expect(await columnsOfType(after, 'timestamp with time zone')).toEqual([]);
        await after.destroy();
      } finally {
        await database.drop();
      }
    });
  },
);
