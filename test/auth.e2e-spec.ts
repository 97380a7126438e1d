import { describe, expect, it } from '@jest/globals';
import { describeWithApp } from './utils/describe-with-app.js';
import { bearer, tokenAuth, withKey } from './utils/fixtures.js';
import { createTestApp, HTTP_ADAPTERS } from './utils/test-app.js';

// Guards, surface filters, body errors and 429s are the HTTP platform's business too: both platforms run them.
describe.each(HTTP_ADAPTERS)('on %s', (adapter) => {
  describeWithApp(
    'workspace API keys on the demo host',
    (ctx) => {
      const publicId = (key: string) => key.slice(4, 12);

      it.each([
        ['Token (Explo)', tokenAuth],
        ['Bearer (Dixa, Zaia)', bearer],
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
        const res = await ctx.app.http.get('/whoami').set(headers(ctx.app.workspace.writeKey));
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ workspaceId: ctx.app.workspace.id, scope: 'write' });
      });

      it('refuses a request without a key with 401', async () => {
        const res = await ctx.app.http.get('/identity/api-keys');
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ message: expect.stringContaining('Missing API key') });
      });

      it('refuses an unknown but well-formed key and a malformed key with 401', async () => {
        const other = await createTestApp({ adapter });
        try {
          const foreign = other.workspace.writeKey; // valid format, minted for another database
          expect((await ctx.app.http.get('/whoami').set(tokenAuth(foreign))).status).toBe(401);
          const tampered =
            ctx.app.workspace.writeKey.slice(0, -1) + (ctx.app.workspace.writeKey.endsWith('A') ? 'B' : 'A');
          expect((await ctx.app.http.get('/whoami').set('Authorization', tampered)).status).toBe(401);
          expect((await ctx.app.http.get('/whoami').set('Authorization', 'Basic dXNlcjpwYXNz')).status).toBe(
            401,
          );
        } finally {
          await other.close();
        }
      });

      it('refuses a Regpack Timestamp older than 5 minutes with 401', async () => {
        const key = ctx.app.workspace.writeKey;
        const res = await ctx.app.http.get('/whoami').set({
          'Api-id': publicId(key),
          'Api-token': key,
          Timestamp: String(Math.floor(Date.now() / 1000) - 301),
        });
        expect(res.status).toBe(401);
        expect(res.body.message).toMatch(/Timestamp/);
      });

      it('refuses an Api-id that does not belong to the Api-token with 401', async () => {
        const res = await ctx.app.http.get('/whoami').set({
          'Api-id': publicId(ctx.app.workspace.readKey),
          'Api-token': ctx.app.workspace.writeKey,
          Timestamp: new Date().toISOString(),
        });
        expect(res.status).toBe(401);
      });

      it('lets a read key call GET routes but answers 403 on write routes', async () => {
        expect((await ctx.app.http.get('/whoami').set(withKey(ctx.app, 'read'))).status).toBe(200);
        const ping = await ctx.app.http.post('/whoami/ping').set(withKey(ctx.app, 'read'));
        expect(ping.status).toBe(403);
        const create = await ctx.app.http.post('/identity/api-keys').set(withKey(ctx.app, 'read')).send({});
        expect(create.status).toBe(403);
        expect(create.body).toEqual({ message: expect.stringContaining('read-only') });
      });

      it('refuses a revoked key with 401 on the very next request', async () => {
        const created = await ctx.app.http
          .post('/identity/api-keys')
          .set(withKey(ctx.app, 'write'))
          .send({ name: 'short-lived', scope: 'read' });
        expect(created.status).toBe(201);
        const { id, secret } = created.body.data;
        expect((await ctx.app.http.get('/whoami').set(tokenAuth(secret))).status).toBe(200); // now cached
        const revoked = await ctx.app.http.delete(`/identity/api-keys/${id}`).set(withKey(ctx.app, 'write'));
        expect(revoked.status).toBe(200);
        expect(revoked.body.data.revokedAt).toBeTruthy();
        const after = await ctx.app.http.get('/whoami').set(tokenAuth(secret));
        expect(after.status).toBe(401);
        expect(after.body.message).toMatch(/revoked/);
      });

      it("answers 404 when a workspace-A key names a workspace-B row, and never returns B's row", async () => {
        const b = await ctx.app.createWorkspace('Workspace B');
        const bKeys = await ctx.app.http.get('/identity/api-keys').set(withKey(b, 'write'));
        const bKeyId: string = bKeys.body.data[0].id;
        const res = await ctx.app.http.get(`/identity/api-keys/${bKeyId}`).set(withKey(ctx.app, 'write'));
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ message: 'API key not found.' });
        const del = await ctx.app.http.delete(`/identity/api-keys/${bKeyId}`).set(withKey(ctx.app, 'write'));
        expect(del.status).toBe(404);
        expect((await ctx.app.http.get('/whoami').set(withKey(b, 'write'))).status).toBe(200);
        const aList = await ctx.app.http.get('/identity/api-keys').set(withKey(ctx.app, 'write'));
        expect(
          aList.body.data.every((k: { workspaceId: string }) => k.workspaceId === ctx.app.workspace.id),
        ).toBe(true);
      });

      it('answers 404, not 500, for an id that is not a uuid', async () => {
        const res = await ctx.app.http.get('/identity/api-keys/not-a-uuid').set(withKey(ctx.app, 'write'));
        expect(res.status).toBe(404);
      });

      it('refuses unknown and invalid fields with 400 naming them (no mass assignment)', async () => {
        const res = await ctx.app.http
          .post('/identity/api-keys')
          .set(withKey(ctx.app, 'write'))
          .send({ scope: 'admin', workspaceId: '00000000-0000-0000-0000-000000000000' });
        expect(res.status).toBe(400);
        expect(res.body.fields).toEqual(expect.arrayContaining(['scope', 'workspaceId']));
      });

      it("answers malformed JSON in the module's shape on its routes and leaves host routes to Nest", async () => {
        const send = (path: string) =>
          ctx.app.http
            .post(path)
            .set(withKey(ctx.app, 'write'))
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
        const key = ctx.app.workspace.writeKey;
        const created = await ctx.app.http
          .post('/identity/api-keys')
          .set({
            'Api-id': publicId(key),
            'Api-token': key,
            'Api-user': 'ops@example.com',
            Timestamp: String(Date.now()),
          })
          .send({ name: 'audited' });
        expect(created.status).toBe(201);
        const log = await ctx.app.http.get('/identity/audit-log').set(withKey(ctx.app, 'write'));
        const entry = log.body.data.find((e: { targetId: string }) => e.targetId === created.body.data.id);
        expect(entry).toMatchObject({
          action: 'api-key.create',
          actorType: 'api_key',
          apiUser: 'ops@example.com',
        });
        expect(JSON.stringify(log.body)).not.toContain(created.body.data.secret);
      });

      it('keeps no plaintext key in any table', async () => {
        const secrets = [ctx.app.workspace.writeKey, ctx.app.workspace.readKey];
        const tables = ['identity_workspaces', 'identity_api_keys', 'identity_audit_log'];
        for (const table of tables) {
          const rows: unknown[] = await ctx.app.dataSource.query(`SELECT * FROM ${table}`);
          const dump = JSON.stringify(rows);
          for (const secret of secrets) {
            expect(dump).not.toContain(secret);
            expect(dump).not.toContain(secret.slice(12)); // not even the part after the public id
          }
        }
        const keys: { hash: string }[] = await ctx.app.dataSource.query('SELECT hash FROM identity_api_keys');
        expect(keys.every((k) => /^[0-9a-f]{64}$/.test(k.hash))).toBe(true);
      });
    },
    { adapter },
  );

  describeWithApp(
    'per-key rate limit',
    (ctx) => {
      it('answers the 11th request within one second on one key with 429 and Retry-After', async () => {
        // Start right after a second boundary so that the 11 requests fall in one window.
        await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000)));
        const statuses: number[] = [];
        let last;
        for (let i = 0; i < 11; i++) {
          last = await ctx.app.http.get('/whoami').set(withKey(ctx.app, 'write'));
          statuses.push(last.status);
        }
        expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
        expect(statuses[10]).toBe(429);
        expect(Number(last!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        // Another key of the same workspace has its own budget.
        expect((await ctx.app.http.get('/whoami').set(withKey(ctx.app, 'read'))).status).toBe(200);
      });

      it('answers 429 in the surface error shape on module routes', async () => {
        await new Promise((resolve) => setTimeout(resolve, 1100));
        let res;
        for (let i = 0; i < 11; i++) {
          res = await ctx.app.http.get('/identity/api-keys').set(withKey(ctx.app, 'read'));
        }
        expect(res!.status).toBe(429);
        expect(res!.headers['retry-after']).toBeDefined();
        expect(res!.body).toEqual({ message: expect.stringContaining('Rate limit') });
      });
    },
    { adapter, identity: { rateLimit: { perSecond: 10 } } },
  );
});
