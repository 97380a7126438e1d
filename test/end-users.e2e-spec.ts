import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp, type TestWorkspace } from './utils/test-app.js';

/** A valid create body; `n` makes it unique. */
function alice(n: number | string = 1): Record<string, unknown> {
  return {
    displayName: `Alice Brown ${n}`,
    email: `alice${n}@brown.com`,
    phoneNumber: '+551155256325',
    additionalEmails: ['alice@secondary.email'],
    additionalPhoneNumbers: ['+5566778899'],
    firstName: 'Alice',
    lastName: 'Brown',
    middleNames: ['J.'],
    avatarUrl: 'http://avatar.url',
    externalId: `#${n}`,
  };
}

describe('end users (Dixa /beta/endusers)', () => {
  let t: TestApp;
  let other: TestWorkspace;
  const auth = (key = t.workspace.writeKey) => ({ Authorization: key });

  beforeAll(async () => {
    t = await createTestApp();
    other = await t.createWorkspace('Other workspace');
  });

  afterAll(async () => {
    await t.close();
  });

  async function create(body: Record<string, unknown>, key?: string) {
    return t.http.post('/beta/endusers').set(auth(key)).send(body);
  }

  describe('single users', () => {
    it('creates a user with every seed field, normalising email and phone', async () => {
      const res = await create({
        ...alice('norm'),
        email: '  Alice.Norm@Brown.COM ',
        phoneNumber: '+45 20 12 34 56',
        additionalPhoneNumbers: ['0045 20123456', '+4520123456'],
      });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({
        email: 'alice.norm@brown.com',
        phoneNumber: '+4520123456',
        additionalPhoneNumbers: ['+4520123456'],
        customAttributes: [],
      });
      expect(new Date(res.body.data.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    });

    it('ignores unknown fields, and the id and createdAt of a create body', async () => {
      const res = await create({
        ...alice('ignored'),
        id: '00000000-0000-7000-8000-000000000000',
        createdAt: '2001-01-01T00:00:00Z',
        nickname: 'Al',
      });
      expect(res.status).toBe(201);
      expect(res.body.data.id).not.toBe('00000000-0000-7000-8000-000000000000');
      expect(res.body.data.createdAt).not.toBe('2001-01-01T00:00:00Z');
      expect(res.body.data).not.toHaveProperty('nickname');
    });

    it.each([
      ['email', { email: 'not-an-email' }],
      ['phoneNumber', { phoneNumber: '12345' }],
      ['phoneNumber', { phoneNumber: '+1 (555) not a number' }],
      ['additionalEmails.1', { additionalEmails: ['a@b.com', 'nope'] }],
      ['additionalPhoneNumbers.0', { additionalPhoneNumbers: ['+999'] }],
      ['avatarUrl', { avatarUrl: 'javascript:alert(1)' }],
      ['displayName', { displayName: 'x'.repeat(256) }],
      ['middleNames', { middleNames: 'J.' }],
      ['externalId', { externalId: '' }],
    ])('refuses an invalid %s with a 400 naming it', async (field, change) => {
      const res = await create({ ...alice(`bad-${field}`), ...change });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: expect.stringContaining(`${field}:`) });
    });

    it('refuses a second user with the same externalId (409)', async () => {
      expect((await create(alice('dup'))).status).toBe(201);
      const res = await create({ ...alice('dup2'), externalId: '#dup' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({ message: expect.stringContaining('externalId') });
    });

    it('lets two workspaces use the same externalId', async () => {
      expect((await create(alice('shared'))).status).toBe(201);
      expect((await create(alice('shared'), other.writeKey)).status).toBe(201);
    });

    it('reads a user with its custom attributes; PUT clears what it leaves out; PATCH changes only what it gives', async () => {
      const created = (await create(alice('rw'))).body.data;
      const read = await t.http.get(`/beta/endusers/${created.id}`).set(auth(t.workspace.readKey));
      expect(read.status).toBe(200);
      expect(read.body.data).toEqual(created);

      const put = await t.http
        .put(`/beta/endusers/${created.id}`)
        .set(auth())
        .send({ displayName: 'Only name' });
      expect(put.status).toBe(200);
      expect(put.body.data).toEqual({
        id: created.id,
        createdAt: created.createdAt,
        displayName: 'Only name',
        additionalEmails: [],
        additionalPhoneNumbers: [],
        middleNames: [],
        customAttributes: [],
      });

      const patch = await t.http
        .patch(`/beta/endusers/${created.id}`)
        .set(auth())
        .send({ firstName: 'Ally', email: 'ally@brown.com' });
      expect(patch.status).toBe(200);
      expect(patch.body.data).toMatchObject({
        displayName: 'Only name',
        firstName: 'Ally',
        email: 'ally@brown.com',
      });

      const cleared = await t.http
        .patch(`/beta/endusers/${created.id}`)
        .set(auth())
        .send({ firstName: null });
      expect(cleared.body.data).not.toHaveProperty('firstName');
      expect(cleared.body.data.email).toBe('ally@brown.com');
    });

    it('answers 404 { message } for an unknown or malformed id', async () => {
      for (const id of ['0192d6a0-0000-7000-8000-00000000abcd', 'not-a-uuid']) {
        const res = await t.http.get(`/beta/endusers/${id}`).set(auth());
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ message: 'End user not found.' });
      }
    });

    it('answers a malformed or oversized body in the seed shape', async () => {
      const malformed = await t.http
        .post('/beta/endusers')
        .set({ ...auth(), 'Content-Type': 'application/json' })
        .send('{"displayName": ');
      expect(malformed.status).toBe(400);
      expect(malformed.body).toEqual({ message: expect.stringContaining('Invalid value for: body') });
      const huge = await t.http
        .post('/beta/endusers/bulk')
        .set(auth())
        .send({ data: [{ displayName: 'x'.repeat(3 * 1024 * 1024) }] });
      expect(huge.status).toBe(413);
      expect(huge.body).toEqual({ message: expect.any(String) });
    });

    it('refuses an empty PATCH with a 400', async () => {
      const created = (await create(alice('empty'))).body.data;
      const res = await t.http.patch(`/beta/endusers/${created.id}`).set(auth()).send({ unknown: 1 });
      expect(res.status).toBe(400);
    });
  });

  describe('listing', () => {
    let listed: TestWorkspace;

    beforeAll(async () => {
      listed = await t.createWorkspace('Paging workspace');
      for (let batch = 0; batch < 3; batch++) {
        const data = Array.from({ length: batch < 2 ? 1000 : 500 }, (_, i) => ({
          displayName: `User ${batch * 1000 + i}`,
          email: `user${batch * 1000 + i}@example.com`,
          phoneNumber: `+4520${String(batch * 1000 + i).padStart(6, '0')}`,
          externalId: `ext-${batch * 1000 + i}`,
        }));
        const res = await t.http.post('/beta/endusers/bulk').set(auth(listed.writeKey)).send({ data });
        expect(res.status).toBe(200);
        expect(res.body.data.every((o: { _type: string }) => o._type === 'BulkActionSuccess')).toBe(true);
      }
    });

    /** Follows a meta link: a full URL on this host. */
    function follow(url: string, key = listed.writeKey) {
      const parsed = new URL(url);
      expect(parsed.protocol).toBe('http:');
      expect(parsed.host).toMatch(/^127\.0\.0\.1:\d+$/);
      return t.http.get(`${parsed.pathname}${parsed.search}`).set(auth(key));
    }

    it('pages through 2,500 users with pageLimit 100, each exactly once, forwards and then backwards', async () => {
      const forwards: string[] = [];
      let res = await t.http.get('/beta/endusers?pageLimit=100').set(auth(listed.writeKey));
      expect(res.body.meta.previous).toBeUndefined();
      let pages = 1;
      forwards.push(...res.body.data.map((u: { id: string }) => u.id));
      while (res.body.meta.next) {
        res = await follow(res.body.meta.next);
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(100);
        forwards.push(...res.body.data.map((u: { id: string }) => u.id));
        pages++;
      }
      expect(pages).toBe(25);
      expect(forwards).toHaveLength(2500);
      expect(new Set(forwards).size).toBe(2500);
      expect(res.body.meta.next).toBeUndefined();

      const backwards: string[] = [...res.body.data.map((u: { id: string }) => u.id)].reverse();
      while (res.body.meta.previous) {
        res = await follow(res.body.meta.previous);
        expect(res.status).toBe(200);
        backwards.push(...[...res.body.data.map((u: { id: string }) => u.id)].reverse());
      }
      expect(backwards).toEqual([...forwards].reverse());
    });

    it('lists items without customAttributes, in creation order', async () => {
      const res = await t.http.get('/beta/endusers?pageLimit=3').set(auth(listed.readKey));
      expect(res.status).toBe(200);
      expect(res.body.data.map((u: { displayName: string }) => u.displayName)).toEqual([
        'User 0',
        'User 1',
        'User 2',
      ]);
      for (const item of res.body.data) {
        expect(item).not.toHaveProperty('customAttributes');
      }
    });

    it('lets pageLimit change between page requests', async () => {
      const first = await t.http.get('/beta/endusers?pageLimit=5').set(auth(listed.writeKey));
      const next = new URL(first.body.meta.next);
      next.searchParams.set('pageLimit', '7');
      const second = await t.http.get(`${next.pathname}${next.search}`).set(auth(listed.writeKey));
      expect(second.body.data.map((u: { displayName: string }) => u.displayName)).toEqual(
        Array.from({ length: 7 }, (_, i) => `User ${i + 5}`),
      );
    });

    it('filters by email, by phone (any format) and by externalId', async () => {
      const byEmail = await t.http.get('/beta/endusers?email=USER42@example.com').set(auth(listed.writeKey));
      expect(byEmail.body.data.map((u: { displayName: string }) => u.displayName)).toEqual(['User 42']);
      const byPhone = await t.http
        .get(`/beta/endusers?phone=${encodeURIComponent('+45 20 00 00 43')}`)
        .set(auth(listed.writeKey));
      expect(byPhone.body.data.map((u: { displayName: string }) => u.displayName)).toEqual(['User 43']);
      const byExternal = await t.http.get('/beta/endusers?externalId=ext-44').set(auth(listed.writeKey));
      expect(byExternal.body.data.map((u: { displayName: string }) => u.displayName)).toEqual(['User 44']);
      const both = await t.http
        .get('/beta/endusers?externalId=ext-44&email=user45@example.com')
        .set(auth(listed.writeKey));
      expect(both.body.data).toEqual([]);
    });

    it('refuses email and phone together with a 400', async () => {
      const res = await t.http
        .get('/beta/endusers?email=user1@example.com&phone=%2B4520000001')
        .set(auth(listed.writeKey));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: expect.stringContaining('mutually exclusive') });
    });

    it.each([
      ['0', 400],
      ['501', 400],
      ['abc', 400],
      ['500', 200],
    ])('checks pageLimit=%s', async (pageLimit, status) => {
      const res = await t.http.get(`/beta/endusers?pageLimit=${pageLimit}`).set(auth(listed.writeKey));
      expect(res.status).toBe(status);
    });

    it('refuses a tampered, made-up, foreign or re-filtered pageKey with a 400, never a 500', async () => {
      const first = await t.http.get('/beta/endusers?pageLimit=10').set(auth(listed.writeKey));
      const key = new URL(first.body.meta.next).searchParams.get('pageKey') as string;
      const decoded = Buffer.from(key, 'base64url').toString('utf8');
      const tampered = [
        key.slice(0, -2) + (key.endsWith('A') ? 'BB' : 'AA'),
        Buffer.from(
          decoded.replace(
            /\.([0-9a-z]+)\./,
            (_m, t36: string) => `.${(parseInt(t36, 36) + 1).toString(36)}.`,
          ),
        ).toString('base64url'),
        Buffer.from(decoded.replace(/^n/, 'p')).toString('base64url'),
        'string',
        'e30',
        '%%%',
        Buffer.from('n.0.00000000-0000-7000-8000-000000000000.00000000000000000000000000000000').toString(
          'base64url',
        ),
      ];
      for (const pageKey of tampered) {
        const res = await t.http
          .get(`/beta/endusers?pageLimit=10&pageKey=${encodeURIComponent(pageKey)}`)
          .set(auth(listed.writeKey));
        expect(res.status).toBe(400);
        expect(res.body).toEqual({ message: expect.stringContaining('pageKey') });
      }
      // The same key is refused in another workspace and with other filters.
      const foreign = await t.http
        .get(`/beta/endusers?pageLimit=10&pageKey=${key}`)
        .set(auth(other.writeKey));
      expect(foreign.status).toBe(400);
      const refiltered = await t.http
        .get(`/beta/endusers?pageLimit=10&externalId=ext-1&pageKey=${key}`)
        .set(auth(listed.writeKey));
      expect(refiltered.status).toBe(400);
      // And the untouched key works.
      expect(
        (await t.http.get(`/beta/endusers?pageLimit=10&pageKey=${key}`).set(auth(listed.writeKey))).status,
      ).toBe(200);
    });

    it("never lists another workspace's users", async () => {
      const res = await t.http.get('/beta/endusers?email=user1@example.com').set(auth(other.writeKey));
      expect(res.body.data).toEqual([]);
    });
  });

  describe('tenancy and scopes', () => {
    let userId: string;

    beforeAll(async () => {
      userId = (await create(alice('tenant'))).body.data.id;
    });

    /** A request of any method. */
    const call = (method: string, path: string) =>
      (t.http as unknown as Record<string, (p: string) => import('supertest').Test>)[method](path);

    const userRoutes = (id: string): [string, string, Record<string, unknown>?][] => [
      ['get', `/beta/endusers/${id}`],
      ['put', `/beta/endusers/${id}`, { displayName: 'Mallory' }],
      ['patch', `/beta/endusers/${id}`, { displayName: 'Mallory' }],
      ['patch', `/beta/endusers/${id}/custom-attributes`, {}],
      ['patch', `/beta/endusers/${id}/anonymize?force=true`],
      ['get', `/beta/endusers/${id}/conversations`],
      ['get', `/beta/endusers/${id}/export`],
    ];

    it("answers 404 to another workspace's key on every {userId} route, and changes nothing", async () => {
      for (const [method, path, body] of userRoutes(userId)) {
        const res = await call(method, path).set(auth(other.writeKey)).send(body);
        expect([method, path, res.status]).toEqual([method, path, 404]);
        expect(res.body).toEqual({ message: 'End user not found.' });
      }
      for (const method of ['put', 'patch'] as const) {
        const res = await t.http[method]('/beta/endusers')
          .set(auth(other.writeKey))
          .send({ data: [{ id: userId, displayName: 'Mallory' }] });
        expect(res.body.data[0].error._type).toBe('NotFound');
      }
      const mine = await t.http.get(`/beta/endusers/${userId}`).set(auth());
      expect(mine.body.data).toMatchObject({
        displayName: 'Alice Brown tenant',
        email: 'alicetenant@brown.com',
      });
    });

    it('answers 403 to a read key on every write, and 200 on reads', async () => {
      const writes: [string, string, Record<string, unknown>?][] = [
        ['post', '/beta/endusers', alice('read-only')],
        ['post', '/beta/endusers/bulk', { data: [alice('read-only')] }],
        ['put', '/beta/endusers', { data: [{ id: userId, displayName: 'x' }] }],
        ['patch', '/beta/endusers', { data: [{ id: userId, displayName: 'x' }] }],
        ...userRoutes(userId).filter(([method]) => method !== 'get'),
        [
          'post',
          '/beta/custom-attributes',
          { entityType: 'Contact', identifier: 'x', label: 'X', inputDefinition: { _type: 'Text' } },
        ],
        ['patch', `/beta/custom-attributes/${userId}`, { label: 'Y' }],
        ['delete', `/beta/custom-attributes/${userId}`],
      ];
      for (const [method, path, body] of writes) {
        const res = await call(method, path).set(auth(t.workspace.readKey)).send(body);
        expect([method, path, res.status]).toEqual([method, path, 403]);
        expect(res.body).toEqual({ message: expect.any(String) });
      }
      for (const [, path] of userRoutes(userId).filter(([method]) => method === 'get')) {
        expect((await t.http.get(path).set(auth(t.workspace.readKey))).status).toBe(200);
      }
      expect((await t.http.get('/beta/endusers').set(auth(t.workspace.readKey))).status).toBe(200);
      expect((await t.http.get('/beta/custom-attributes').set(auth(t.workspace.readKey))).status).toBe(200);
    });

    it('answers 401 { message } without a key', async () => {
      const res = await t.http.get('/beta/endusers');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: expect.any(String) });
    });

    it('writes an audit entry per write, with ids only', async () => {
      const entries: { action: string; target_id: string }[] = await t.dataSource.query(
        "SELECT action, target_id FROM identity_audit_log WHERE action LIKE 'end-user.%'",
      );
      expect(entries.some((e) => e.action === 'end-user.create' && e.target_id === userId)).toBe(true);
      const dump = JSON.stringify(await t.dataSource.query('SELECT * FROM identity_audit_log'));
      expect(dump).not.toMatch(/alice|brown|\+55/i);
    });
  });
});
