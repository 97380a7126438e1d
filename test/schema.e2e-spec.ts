import { describe, expect, it } from '@jest/globals';
import { IDENTITY_MIGRATIONS } from '../libs/identity/src/index.js';
import { bootstrapFirstWorkspace } from '../src/bootstrap.js';
import { createTestDatabase } from './utils/database.js';
import { describeWithApp } from './utils/describe-with-app.js';
import { tokenAuth } from './utils/fixtures.js';
import { createTestApp } from './utils/test-app.js';

describeWithApp('migrations', (ctx) => {
  it('create exactly the schema the entities describe (nothing left for synchronize to do)', async () => {
    const pending = await ctx.app.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('have all run, and are registered as an array of classes', async () => {
    const ran: { name: string }[] = await ctx.app.dataSource.query('SELECT name FROM migrations');
    expect(ran.map((m) => m.name).sort()).toEqual(IDENTITY_MIGRATIONS.map((m) => new m().name).sort());
  });

  it('can be reverted and applied again', async () => {
    const { dataSource } = ctx.app;
    for (let i = 0; i < IDENTITY_MIGRATIONS.length; i++) {
      await dataSource.undoLastMigration();
    }
    expect(await dataSource.showMigrations()).toBe(true);
    await dataSource.runMigrations();
    expect(await dataSource.showMigrations()).toBe(false);
  });
});

describe('first start of the demo host', () => {
  it('creates one workspace and key on an empty database, and none on a restart', async () => {
    const empty = await createTestDatabase();
    try {
      const a = await createTestApp({ database: empty, seedWorkspace: false });
      const created = await bootstrapFirstWorkspace(a.app);
      expect(created?.secret).toMatch(/^idk_/);
      expect((await a.http.get('/whoami').set(tokenAuth(created!.secret))).status).toBe(200);
      await a.close();
      const b = await createTestApp({ database: empty, seedWorkspace: false });
      expect(await bootstrapFirstWorkspace(b.app)).toBeUndefined();
      const count: { n: string | number }[] = await b.dataSource.query(
        'SELECT COUNT(*) AS n FROM identity_workspaces',
      );
      expect(Number(count[0].n)).toBe(1);
      expect((await b.http.get('/whoami').set(tokenAuth(created!.secret))).status).toBe(200);
      await b.close();
    } finally {
      await empty.drop();
    }
  });

  it('registers IDENTITY_BOOTSTRAP_KEY instead of minting one', async () => {
    const source = await createTestApp();
    const key = await source.createKey(source.workspace.id, 'write'); // a well-formed key from elsewhere
    await source.close();
    const empty = await createTestDatabase();
    try {
      const a = await createTestApp({ database: empty, seedWorkspace: false });
      const created = await bootstrapFirstWorkspace(a.app, key);
      expect(created).toMatchObject({ secret: key, given: true });
      expect((await a.http.get('/whoami').set(tokenAuth(key))).status).toBe(200);
      await a.close();
    } finally {
      await empty.drop();
    }
  });
});
