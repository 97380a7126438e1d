import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, HTTP_ADAPTERS, type TestApp } from './utils/test-app.js';

// Guards, surface filters, body errors and 429s are the HTTP platform's business too: both platforms run them.
describe.each(HTTP_ADAPTERS)('on %s', (adapter) => {
  describe('workspace API keys on the demo host', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ adapter });
    });

    afterAll(async () => {
      await t.close();
    });

    const publicId = (key: string) => key.slice(4, 12);

    it.each([
      ['Token (Explo)', (key: string) => ({ Authorization: `Token ${key}` })],
      ['Bearer (Dixa, Zaia)', (key: string) => ({ Authorization: `Bearer ${key}` })],
      ['bare key (Dixa, Zaia)', (key: string) => ({ Authorization: key })],
      [
        'Api-id/Api-token/Api-user/Timestamp (Regpack)',
        (key: string) => ({
          'Api-id': publicId(key),
          'Api-token': key,
          'Api-user': 'integration@example.com',
          Timestamp: String(Math.floor(Date.now() / 1000)),
        }),
      ],
    ])('authenticates the %s header style', async (_style, headers) => {
      const res = await t.http.get('/whoami').set(headers(t.workspace.writeKey));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ workspaceId: t.workspace.id, scope: 'write' });
    });

    it('refuses a request without a key with 401', async () => {
      const res = await t.http.get('/identity/api-keys');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: expect.stringContaining('Missing API key') });
    });

    it('refuses an unknown but well-formed key and a malformed key with 401', async () => {
      const other = await createTestApp({ adapter });
      try {
        const foreign = other.workspace.writeKey; // valid format, minted for another database
        expect((await t.http.get('/whoami').set('Authorization', `Token ${foreign}`)).status).toBe(401);
        const tampered = t.workspace.writeKey.slice(0, -1) + (t.workspace.writeKey.endsWith('A') ? 'B' : 'A');
        expect((await t.http.get('/whoami').set('Authorization', tampered)).status).toBe(401);
        expect((await t.http.get('/whoami').set('Authorization', 'Basic dXNlcjpwYXNz')).status).toBe(401);
      } finally {
        await other.close();
      }
    });

    it('refuses a Regpack Timestamp older than 5 minutes with 401', async () => {
      const key = t.workspace.writeKey;
      const res = await t.http.get('/whoami').set({
        'Api-id': publicId(key),
        'Api-token': key,
        Timestamp: String(Math.floor(Date.now() / 1000) - 301),
      });
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/Timestamp/);
    });

    it('refuses an Api-id that does not belong to the Api-token with 401', async () => {
      const res = await t.http.get('/whoami').set({
        'Api-id': publicId(t.workspace.readKey),
        'Api-token': t.workspace.writeKey,
        Timestamp: new Date().toISOString(),
      });
      expect(res.status).toBe(401);
    });

    it('lets a read key call GET routes but answers 403 on write routes', async () => {
      expect((await t.http.get('/whoami').set('Authorization', t.workspace.readKey)).status).toBe(200);
      const ping = await t.http.post('/whoami/ping').set('Authorization', t.workspace.readKey);
      expect(ping.status).toBe(403);
      const create = await t.http
        .post('/identity/api-keys')
        .set('Authorization', t.workspace.readKey)
        .send({});
      expect(create.status).toBe(403);
      expect(create.body).toEqual({ message: expect.stringContaining('read-only') });
    });

    it('refuses a revoked key with 401 on the very next request', async () => {
      const created = await t.http
        .post('/identity/api-keys')
        .set('Authorization', `Token ${t.workspace.writeKey}`)
        .send({ name: 'short-lived', scope: 'read' });
      expect(created.status).toBe(201);
      const { id, secret } = created.body.data;
      expect((await t.http.get('/whoami').set('Authorization', secret)).status).toBe(200); // now cached
      const revoked = await t.http
        .delete(`/identity/api-keys/${id}`)
        .set('Authorization', t.workspace.writeKey);
      expect(revoked.status).toBe(200);
      expect(revoked.body.data.revokedAt).toBeTruthy();
      const after = await t.http.get('/whoami').set('Authorization', secret);
      expect(after.status).toBe(401);
      expect(after.body.message).toMatch(/revoked/);
    });

    it("answers 404 when a workspace-A key names a workspace-B row, and never returns B's row", async () => {
      const b = await t.createWorkspace('Workspace B');
      const bKeys = await t.http.get('/identity/api-keys').set('Authorization', b.writeKey);
      const bKeyId: string = bKeys.body.data[0].id;
      const res = await t.http.get(`/identity/api-keys/${bKeyId}`).set('Authorization', t.workspace.writeKey);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'API key not found.' });
      const del = await t.http
        .delete(`/identity/api-keys/${bKeyId}`)
        .set('Authorization', t.workspace.writeKey);
      expect(del.status).toBe(404);
      expect((await t.http.get('/whoami').set('Authorization', b.writeKey)).status).toBe(200);
      const aList = await t.http.get('/identity/api-keys').set('Authorization', t.workspace.writeKey);
      expect(aList.body.data.every((k: { workspaceId: string }) => k.workspaceId === t.workspace.id)).toBe(
        true,
      );
    });

    it('answers 404, not 500, for an id that is not a uuid', async () => {
      const res = await t.http
        .get('/identity/api-keys/not-a-uuid')
        .set('Authorization', t.workspace.writeKey);
      expect(res.status).toBe(404);
    });

    it('refuses unknown and invalid fields with 400 naming them (no mass assignment)', async () => {
      const res = await t.http
        .post('/identity/api-keys')
        .set('Authorization', t.workspace.writeKey)
        .send({ scope: 'admin', workspaceId: '00000000-0000-0000-0000-000000000000' });
      expect(res.status).toBe(400);
      expect(res.body.fields).toEqual(expect.arrayContaining(['scope', 'workspaceId']));
    });

    it("answers malformed JSON in the module's shape on its routes and leaves host routes to Nest", async () => {
      const send = (path: string) =>
        t.http
          .post(path)
          .set('Authorization', t.workspace.writeKey)
          .set('Content-Type', 'application/json')
          .send('{bad');
      const mine = await send('/identity/api-keys');
      expect(mine.status).toBe(400);
      expect(mine.body).toEqual({ message: expect.stringContaining('could not be read') });
      const host = await send('/whoami/ping');
      expect(host.status).toBe(400);
      expect(host.body).toMatchObject({ statusCode: 400 });
    });

    it('writes an audit entry with the key id and Api-user, and no secret', async () => {
      const key = t.workspace.writeKey;
      const created = await t.http
        .post('/identity/api-keys')
        .set({
          'Api-id': publicId(key),
          'Api-token': key,
          'Api-user': 'ops@example.com',
          Timestamp: String(Date.now()),
        })
        .send({ name: 'audited' });
      expect(created.status).toBe(201);
      const log = await t.http.get('/identity/audit-log').set('Authorization', key);
      const entry = log.body.data.find((e: { targetId: string }) => e.targetId === created.body.data.id);
      expect(entry).toMatchObject({
        action: 'api-key.create',
        actorType: 'api_key',
        apiUser: 'ops@example.com',
      });
      expect(JSON.stringify(log.body)).not.toContain(created.body.data.secret);
    });

    it('keeps no plaintext key in any table', async () => {
      const secrets = [t.workspace.writeKey, t.workspace.readKey];
      const tables = ['identity_workspaces', 'identity_api_keys', 'identity_audit_log'];
      for (const table of tables) {
        const rows: unknown[] = await t.dataSource.query(`SELECT * FROM ${table}`);
        const dump = JSON.stringify(rows);
        for (const secret of secrets) {
          expect(dump).not.toContain(secret);
          expect(dump).not.toContain(secret.slice(12)); // not even the part after the public id
        }
      }
      const keys: { hash: string }[] = await t.dataSource.query('SELECT hash FROM identity_api_keys');
      expect(keys.every((k) => /^[0-9a-f]{64}$/.test(k.hash))).toBe(true);
    });
  });

  describe('per-key rate limit', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ adapter, identity: { rateLimit: { perSecond: 10 } } });
    });

    afterAll(async () => {
      await t.close();
    });

    it('answers the 11th request within one second on one key with 429 and Retry-After', async () => {
      // Start right after a second boundary so that the 11 requests fall in one window.
      await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 11; i++) {
        last = await t.http.get('/whoami').set('Authorization', t.workspace.writeKey);
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
      expect(statuses[10]).toBe(429);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Another key of the same workspace has its own budget.
      expect((await t.http.get('/whoami').set('Authorization', t.workspace.readKey)).status).toBe(200);
    });

    it('answers 429 in the surface error shape on module routes', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      let res;
      for (let i = 0; i < 11; i++) {
        res = await t.http.get('/identity/api-keys').set('Authorization', t.workspace.readKey);
      }
      expect(res!.status).toBe(429);
      expect(res!.headers['retry-after']).toBeDefined();
      expect(res!.body).toEqual({ message: expect.stringContaining('Rate limit') });
    });
  });
});
