import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ExternalUsersService, IdentityEvents } from '../libs/identity/src/index.js';
import { createTestApp, type TestApp, type TestWorkspace } from './utils/test-app.js';

const UNKNOWN_ID = '0190a1b2-c3d4-7e5f-8a6b-1c2d3e4f5a6b';

describe('external users, tiers and blocking (Zaia /api/v1)', () => {
  let t: TestApp;
  let channelId: string;
  /** Zaia's clients send the API key bare in Authorization. */
  const key = () => ({ Authorization: t.workspace.writeKey });
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    channelId = (await createChannel('Website chat')).id;
  });

  afterAll(async () => {
    await t.close();
  });

  async function createChannel(
    name: string,
    workspace: TestWorkspace = t.workspace,
  ): Promise<{ id: string }> {
    const res = await t.http.post('/api/v1/channels').set('Authorization', workspace.writeKey).send({ name });
    expect(res.status).toBe(200);
    return res.body;
  }

  async function createTier(body: Record<string, unknown>): Promise<{ id: string; name: string }> {
    const res = await t.http
      .post('/api/v1/tiers')
      .set(key())
      .send({ description: 'A tier for tests', ...body });
    expect(res.status).toBe(200);
    return res.body;
  }

  function authenticate(body: Record<string, unknown>) {
    return t.http
      .post('/api/v1/external-users/authenticate')
      .set(key())
      .send({ channelId, externalId: null, id: null, identifier: null, ...body });
  }

  async function createUser(body: Record<string, unknown> = {}) {
    const res = await t.http
      .post('/api/v1/external-users')
      .set(key())
      .send({
        channelId,
        externalId: null,
        externalUserGroupId: null,
        identifier: null,
        name: null,
        tierId: null,
        ...body,
      });
    expect(res.status).toBe(200);
    return res.body as { id: string; accessToken: string; superIdentityId: string };
  }

  function patchUser(id: string, body: Record<string, unknown>) {
    return t.http.patch(`/api/v1/external-users/${id}`).set(key()).send(body);
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    let n = 0;
    const text = t.database.config.type === 'postgres' ? sql.replace(/\?/g, () => `$${++n}`) : sql;
    const rows: { n: string | number }[] = await t.dataSource.query(text, params);
    return Number(rows[0].n);
  }

  describe('authenticate', () => {
    it('creates the user on a first visit, then finds it by id, by externalId and by identifier', async () => {
      const first = await authenticate({ externalId: 'crm-1', identifier: 'ana@example.com' });
      expect(first.status).toBe(200);
      expect(first.headers['cache-control']).toBe('no-store');
      expect(first.body).toEqual({
        createdAt: expect.any(String),
        id: expect.any(String),
        updatedAt: expect.any(String),
        blocked: false,
        channelId,
        externalId: 'crm-1',
        externalUserGroupId: null,
        identifier: 'ana@example.com',
        name: null,
        superIdentityId: expect.any(String),
        tierId: null,
        workspaceId: t.workspace.id,
        accessToken: expect.stringMatching(/^eut_[0-9A-Za-z]+$/),
      });
      const { id } = first.body;
      for (const lookup of [{ id }, { externalId: 'crm-1' }, { identifier: 'ana@example.com' }]) {
        const again = await authenticate(lookup);
        expect(again.status).toBe(200);
        expect(again.body.id).toBe(id);
        expect(again.body.accessToken).not.toBe(first.body.accessToken); // a new token each time
      }
      expect(
        await count('SELECT COUNT(*) AS n FROM identity_external_users WHERE channel_id = ?', [channelId]),
      ).toBeGreaterThanOrEqual(1);
      expect(
        await count("SELECT COUNT(*) AS n FROM identity_external_users WHERE external_id = 'crm-1'"),
      ).toBe(1);
    });

    it('creates exactly one user when 50 first visits of one externalId arrive at once', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => authenticate({ externalId: 'concurrent-1' })),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(
        await count("SELECT COUNT(*) AS n FROM identity_external_users WHERE external_id = 'concurrent-1'"),
      ).toBe(1);
      // the losers rolled back their super identity and ordinal too
      expect(await count('SELECT COUNT(*) AS n FROM identity_super_identities')).toBe(
        await count('SELECT COUNT(*) AS n FROM identity_external_users'),
      );
      const ordinals: { ordinal: number }[] = await t.dataSource.query(
        'SELECT ordinal FROM identity_external_users ORDER BY ordinal',
      );
      expect(ordinals.map((o) => Number(o.ordinal))).toEqual(ordinals.map((_, i) => i + 1));
    });

    it('answers 404 "Channel not found." for an unknown channel and for another workspace\'s channel', async () => {
      const unknown = await authenticate({ channelId: UNKNOWN_ID, externalId: 'x-1' });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ message: 'Channel not found.' });
      const other = await t.createWorkspace('Other');
      const foreign = await createChannel('Theirs', other);
      const res = await authenticate({ channelId: foreign.id, externalId: 'x-1' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'Channel not found.' });
    });

    it('answers 400 "Invalid data provided." naming a malformed uuid', async () => {
      const res = await authenticate({ channelId: 'not-a-uuid', id: 'nope' });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Invalid data provided.');
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['channelId', 'id']);
    });

    it('refuses a blocked user with 403 and no token', async () => {
      const user = await createUser({ externalId: 'blocked-at-login' });
      expect((await patchUser(user.id, { blocked: true })).status).toBe(200);
      const res = await authenticate({ externalId: 'blocked-at-login' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ message: 'External user is blocked.' });
    });

    it('needs a read-write key', async () => {
      const res = await t.http
        .post('/api/v1/external-users/authenticate')
        .set('Authorization', t.workspace.readKey)
        .send({ channelId, externalId: 'reader', id: null, identifier: null });
      expect(res.status).toBe(403);
    });
  });

  describe('create, get, patch', () => {
    it('creates a user with an access token and gets it by id', async () => {
      const created = await createUser({ externalId: 'crm-2', name: 'Bruno', identifier: '+351910000000' });
      expect(created.accessToken).toMatch(/^eut_/);
      const res = await t.http.get(`/api/v1/external-users/${created.id}`).set(key());
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: created.id, name: 'Bruno', externalId: 'crm-2', blocked: false });
      expect(res.body.accessToken).toBeUndefined();
    });

    it('gives a new user a new super identity', async () => {
      const a = await createUser();
      const b = await createUser();
      expect(a.superIdentityId).not.toBe(b.superIdentityId);
    });

    it('refuses channelId, superIdentityId and workspaceId in a PATCH (400) and applies nothing', async () => {
      const user = await createUser({ name: 'Carla' });
      const other = await createChannel('Other channel');
      for (const body of [
        { channelId: other.id, name: 'Changed' },
        { superIdentityId: UNKNOWN_ID, name: 'Changed' },
        { workspaceId: UNKNOWN_ID, name: 'Changed' },
      ]) {
        const res = await patchUser(user.id, body);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('Invalid data provided.');
        expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([Object.keys(body)[0]]);
      }
      const after = await t.http.get(`/api/v1/external-users/${user.id}`).set(key());
      expect(after.body).toMatchObject({ name: 'Carla', channelId, superIdentityId: user.superIdentityId });
    });

    it('applies the seed field limits, naming each field', async () => {
      const res = await t.http
        .post('/api/v1/external-users')
        .set(key())
        .send({ channelId, externalId: 'ab', name: 'x'.repeat(51), identifier: null, tierId: 'bad' });
      expect(res.status).toBe(400);
      expect(res.body.message).toBe('Invalid data provided.');
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
        'externalId',
        'name',
        'tierId',
      ]);
      expect(res.body.details.find((d: { field: string }) => d.field === 'name').message).toContain('50');
      const user = await createUser();
      const patch = await patchUser(user.id, { externalId: 'x'.repeat(251) });
      expect(patch.status).toBe(400);
      expect(patch.body.details[0].field).toBe('externalId');
      expect((await patchUser(user.id, { name: 'abc', externalId: 'x'.repeat(250) })).status).toBe(200);
    });

    it('answers 409 for an externalId taken in the channel', async () => {
      await createUser({ externalId: 'taken-1' });
      const res = await t.http
        .post('/api/v1/external-users')
        .set(key())
        .send({ channelId, externalId: 'taken-1' });
      expect(res.status).toBe(409);
      expect(res.body.message).toBe('External user external id already exists in this channel.');
    });

    it('answers 404 for an unknown tier or group in a create', async () => {
      const res = await t.http
        .post('/api/v1/external-users')
        .set(key())
        .send({ channelId, tierId: UNKNOWN_ID });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ message: 'Tier not found.' });
    });

    it('emits created, updated, blocked and unblocked events with ids only', async () => {
      const seen: { name: string; payload: unknown }[] = [];
      const emitter = t.app.get(EventEmitter2);
      const names = [
        IdentityEvents.externalUserCreated,
        IdentityEvents.externalUserUpdated,
        IdentityEvents.externalUserBlocked,
        IdentityEvents.externalUserUnblocked,
      ];
      const listeners = names.map((name) => {
        const listener = (payload: unknown) => seen.push({ name, payload });
        emitter.on(name, listener);
        return { name, listener };
      });
      try {
        const user = await createUser({ externalId: 'evented' });
        await patchUser(user.id, { blocked: true });
        await patchUser(user.id, { blocked: false });
        const payload = { workspaceId: t.workspace.id, id: user.id };
        expect(seen).toEqual([
          { name: IdentityEvents.externalUserCreated, payload },
          { name: IdentityEvents.externalUserUpdated, payload },
          { name: IdentityEvents.externalUserBlocked, payload },
          { name: IdentityEvents.externalUserUpdated, payload },
          { name: IdentityEvents.externalUserUnblocked, payload },
        ]);
        const actions: { action: string }[] = await t.dataSource.query(
          `SELECT action FROM identity_audit_log WHERE target_id = '${user.id}' ORDER BY created_at, action`,
        );
        expect(actions.map((a) => a.action).sort()).toEqual(
          ['external-user.block', 'external-user.create', 'external-user.unblock'].sort(),
        );
      } finally {
        for (const { name, listener } of listeners) {
          emitter.off(name, listener);
        }
      }
    });
  });

  describe('list', () => {
    let listChannel: string;
    let group: { id: string };
    let tier: { id: string };
    const ids: string[] = [];

    beforeAll(async () => {
      listChannel = (await createChannel('List channel')).id;
      tier = await createTier({ name: 'List tier' });
      group = (
        await t.http
          .post('/api/v1/external-user-groups')
          .set(key())
          .send({ externalId: 'list-group', name: 'List group' })
      ).body;
      for (let i = 1; i <= 12; i++) {
        const user = await createUser({
          channelId: listChannel,
          name: `Lister ${String(i).padStart(2, '0')}`,
          identifier: `lister${i}@example.com`,
          externalUserGroupId: i % 3 === 0 ? group.id : null,
          tierId: i % 4 === 0 ? tier.id : null,
        });
        ids.push(user.id);
      }
    });

    function list(query: string) {
      return t.http.get(`/api/v1/external-users?${query}`).set(key());
    }

    it('answers a bare array of 10 by default, in creation order, and pages by pageNumber', async () => {
      const page1 = await list(`channelIds=${listChannel}`);
      expect(page1.status).toBe(200);
      expect(Array.isArray(page1.body)).toBe(true);
      expect(page1.body.map((u: { id: string }) => u.id)).toEqual(ids.slice(0, 10));
      const page2 = await list(`channelIds=${listChannel}&pageNumber=2`);
      expect(page2.body.map((u: { id: string }) => u.id)).toEqual(ids.slice(10));
      const small = await list(`channelIds=${listChannel}&pageNumber=3&pageSize=5`);
      expect(small.body.map((u: { id: string }) => u.id)).toEqual(ids.slice(10, 12));
    });

    it('pages the whole workspace without filters, page N following page N-1', async () => {
      const all: string[] = [];
      for (let page = 1; ; page++) {
        const res = await list(`pageNumber=${page}&pageSize=7`);
        expect(res.status).toBe(200);
        all.push(...res.body.map((u: { id: string }) => u.id));
        if (res.body.length < 7) {
          break;
        }
      }
      expect(all.length).toBe(
        await count('SELECT COUNT(*) AS n FROM identity_external_users WHERE workspace_id = ?', [
          t.workspace.id,
        ]),
      );
      expect(new Set(all).size).toBe(all.length);
      expect(all.slice(-12)).toEqual(ids);
    });

    it('filters by one uuid or a list, in both array spellings', async () => {
      const inGroup = await list(`externalUserGroupIds=${group.id}`);
      expect(inGroup.body.map((u: { id: string }) => u.id)).toEqual([ids[2], ids[5], ids[8], ids[11]]);
      const withTier = await list(
        `tierIds[]=${tier.id}&channelIds[]=${listChannel}&channelIds[]=${channelId}`,
      );
      expect(withTier.body.map((u: { id: string }) => u.id)).toEqual([ids[3], ids[7], ids[11]]);
      const repeated = await list(`tierIds=${tier.id}&tierIds=${UNKNOWN_ID}`);
      expect(repeated.body).toHaveLength(3);
      const first = (await t.http.get(`/api/v1/external-users/${ids[0]}`).set(key())).body;
      const bySuper = await list(`superIdentityIds=${first.superIdentityId}`);
      expect(bySuper.body.map((u: { id: string }) => u.id)).toEqual([ids[0]]);
    });

    it('searches name, identifier and externalId, case-insensitively, with % and _ taken literally', async () => {
      const byName = await list(`search=lister 1&channelIds=${listChannel}`);
      expect(byName.body.map((u: { name: string }) => u.name)).toEqual([
        'Lister 10',
        'Lister 11',
        'Lister 12',
      ]);
      const byIdentifier = await list('search=LISTER7@');
      expect(byIdentifier.body.map((u: { id: string }) => u.id)).toEqual([ids[6]]);
      expect((await list('search=%25')).body).toEqual([]);
      expect((await list('search=_')).body).toEqual([]);
      await createUser({ externalId: 'ext_under' });
      expect((await list('search=t_u')).body.map((u: { externalId: string }) => u.externalId)).toEqual([
        'ext_under',
      ]);
    });

    it('refuses page numbers and sizes out of range, and malformed ids, naming the parameter', async () => {
      for (const [query, field] of [
        ['pageNumber=0', 'pageNumber'],
        ['pageNumber=-1', 'pageNumber'],
        ['pageNumber=abc', 'pageNumber'],
        ['pageSize=0', 'pageSize'],
        ['pageSize=101', 'pageSize'],
        ['pageSize=1.5', 'pageSize'],
        ['channelIds=nope', 'channelIds'],
        [`tierIds=${UNKNOWN_ID}&tierIds=bad`, 'tierIds'],
        ['colour=red', 'colour'],
      ]) {
        const res = await list(query);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('Invalid data provided.');
        expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
      }
      expect((await list('pageSize=100')).status).toBe(200);
    });
  });

  describe('groups, tiers and channels', () => {
    it("answers 409 with Zaia's wording for a duplicate group externalId", async () => {
      const body = { externalId: 'acme-corp', name: 'Acme' };
      expect((await t.http.post('/api/v1/external-user-groups').set(key()).send(body)).status).toBe(200);
      const again = await t.http.post('/api/v1/external-user-groups').set(key()).send(body);
      expect(again.status).toBe(409);
      expect(again.body).toEqual({
        message: 'External user group external id already exists in this workspace.',
      });
      const other = await t.http
        .post('/api/v1/external-user-groups')
        .set(key())
        .send({ externalId: 'acme-2', name: 'Acme 2' });
      const renamed = await t.http
        .patch(`/api/v1/external-user-groups/${other.body.id}`)
        .set(key())
        .send({ externalId: 'acme-corp' });
      expect(renamed.status).toBe(409);
    });

    it('lists, gets, updates and deletes groups, tiers and channels', async () => {
      const tier = await createTier({ name: 'Gold', maxAssistantMessages: 10, prompt: 'Be kind.' });
      expect(tier).toMatchObject({
        name: 'Gold',
        maxAssistantMessages: 10,
        prompt: 'Be kind.',
        workspaceId: t.workspace.id,
      });
      const patched = await t.http
        .patch(`/api/v1/tiers/${tier.id}`)
        .set(key())
        .send({ maxAssistantMessages: null, prompt: null });
      expect(patched.body).toMatchObject({ name: 'Gold', maxAssistantMessages: null, prompt: null });
      expect((await t.http.get(`/api/v1/tiers/${tier.id}`).set(key())).body.maxAssistantMessages).toBeNull();
      const tiers = await t.http.get('/api/v1/tiers?pageSize=100').set(key());
      expect(tiers.body.map((x: { id: string }) => x.id)).toContain(tier.id);

      const group = (
        await t.http
          .post('/api/v1/external-user-groups')
          .set(key())
          .send({ externalId: 'grp-crud', name: 'Crud', tierId: tier.id })
      ).body;
      expect(group).toMatchObject({ externalId: 'grp-crud', name: 'Crud', tierId: tier.id });
      const member = await createUser({ externalUserGroupId: group.id });
      expect((await t.http.delete(`/api/v1/tiers/${tier.id}`).set(key())).status).toBe(200);
      expect((await t.http.get(`/api/v1/tiers/${tier.id}`).set(key())).status).toBe(404);
      expect(
        (await t.http.get(`/api/v1/external-user-groups/${group.id}`).set(key())).body.tierId,
      ).toBeNull();
      expect((await t.http.delete(`/api/v1/external-user-groups/${group.id}`).set(key())).status).toBe(200);
      expect(
        (await t.http.get(`/api/v1/external-users/${member.id}`).set(key())).body.externalUserGroupId,
      ).toBeNull();

      const channel = await createChannel('Temporary');
      const renamed = await t.http
        .patch(`/api/v1/channels/${channel.id}`)
        .set(key())
        .send({ name: 'WhatsApp' });
      expect(renamed.body).toMatchObject({ id: channel.id, name: 'WhatsApp' });
      await createUser({ channelId: channel.id });
      const refused = await t.http.delete(`/api/v1/channels/${channel.id}`).set(key());
      expect(refused.status).toBe(409);
      const empty = await createChannel('Empty');
      expect((await t.http.delete(`/api/v1/channels/${empty.id}`).set(key())).status).toBe(200);
      expect((await t.http.get(`/api/v1/channels/${empty.id}`).set(key())).body).toEqual({
        message: 'Channel not found.',
      });
    });

    it('applies the field limits of tiers, groups and channels', async () => {
      const cases: [string, Record<string, unknown>, string][] = [
        ['/api/v1/tiers', { name: 'ab', description: 'Fine description' }, 'name'],
        ['/api/v1/tiers', { name: 'Fine', description: 'x'.repeat(251) }, 'description'],
        ['/api/v1/tiers', { name: 'Fine', description: 'Fine', prompt: 'ab' }, 'prompt'],
        ['/api/v1/tiers', { name: 'Fine', description: 'Fine', prompt: 'x'.repeat(501) }, 'prompt'],
        [
          '/api/v1/tiers',
          { name: 'Fine', description: 'Fine', maxAssistantMessages: -1 },
          'maxAssistantMessages',
        ],
        [
          '/api/v1/tiers',
          { name: 'Fine', description: 'Fine', maxAssistantMessages: 1.5 },
          'maxAssistantMessages',
        ],
        ['/api/v1/external-user-groups', { externalId: 'ab', name: 'Fine' }, 'externalId'],
        ['/api/v1/external-user-groups', { externalId: 'fine', name: 'x'.repeat(51) }, 'name'],
        ['/api/v1/channels', { name: 'ab' }, 'name'],
      ];
      for (const [path, body, field] of cases) {
        const res = await t.http.post(path).set(key()).send(body);
        expect(res.status).toBe(400);
        expect(res.body.message).toBe('Invalid data provided.');
        expect(res.body.details.map((d: { field: string }) => d.field)).toEqual([field]);
      }
      const tier = await createTier({ name: 'Limits' });
      const cleared = await t.http.patch(`/api/v1/tiers/${tier.id}`).set(key()).send({ name: null });
      expect(cleared.status).toBe(400);
      expect(cleared.body.details.map((d: { field: string }) => d.field)).toEqual(['name']);
    });
  });

  describe('access tokens and ExternalUserGuard', () => {
    it("refuses a blocked user's token on the next request, and accepts the same token after unblocking", async () => {
      const user = await createUser({ externalId: 'to-block' });
      const me = () => t.http.get('/assistant/me').set(bearer(user.accessToken));
      expect((await me()).status).toBe(200);
      expect((await me()).status).toBe(200); // cached now
      expect((await patchUser(user.id, { blocked: true })).body.blocked).toBe(true);
      const refused = await me();
      expect(refused.status).toBe(403);
      expect(refused.body.message).toBe('External user is blocked.');
      expect((await patchUser(user.id, { blocked: false })).body.blocked).toBe(false);
      expect((await me()).status).toBe(200);
    });

    it('blocks and unblocks through the service too', async () => {
      const user = await createUser();
      const service = t.app.get(ExternalUsersService);
      await service.block(t.workspace.id, user.id);
      expect((await t.http.get('/assistant/me').set(bearer(user.accessToken))).status).toBe(403);
      await service.unblock(t.workspace.id, user.id);
      expect((await t.http.get('/assistant/me').set(bearer(user.accessToken))).status).toBe(200);
    });

    it('answers 401 without a token, with a malformed or unknown one, and with an expired one', async () => {
      expect((await t.http.get('/assistant/me')).status).toBe(401);
      expect((await t.http.get('/assistant/me').set(bearer('eut_nope'))).status).toBe(401);
      expect((await t.http.get('/assistant/me').set(bearer(t.workspace.writeKey))).status).toBe(401);
      const user = await createUser();
      await t.dataSource.query(
        t.database.config.type === 'postgres'
          ? "UPDATE identity_external_user_tokens SET expires_at = now() - interval '1 second' WHERE external_user_id = $1"
          : "UPDATE identity_external_user_tokens SET expires_at = datetime('now', '-1 second') WHERE external_user_id = ?",
        [user.id],
      );
      expect((await t.http.get('/assistant/me').set(bearer(user.accessToken))).status).toBe(401);
    });

    it('binds the token to its user: the principal is the user the token was minted for', async () => {
      const a = await createUser({ name: 'Alice' });
      const b = await createUser({ name: 'Berta' });
      expect((await t.http.get('/assistant/me').set(bearer(a.accessToken))).body.id).toBe(a.id);
      expect((await t.http.get('/assistant/me').set(bearer(b.accessToken))).body.id).toBe(b.id);
    });

    it('lets 3 of 20 simultaneous messages through a tier of 3, and answers 429 naming the quota and reset time', async () => {
      const tier = await createTier({ name: 'Three', maxAssistantMessages: 3 });
      const user = await createUser({ tierId: tier.id });
      const responses = await Promise.all(
        Array.from({ length: 20 }, () => t.http.post('/assistant/messages').set(bearer(user.accessToken))),
      );
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 200)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(17);
      const remaining = responses.filter((r) => r.status === 200).map((r) => r.body.quota.remaining);
      expect(remaining.sort()).toEqual([0, 1, 2]);
      const now = new Date();
      const reset = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString();
      const refused = responses.find((r) => r.status === 429)!;
      expect(refused.body.message).toContain('assistantMessages');
      expect(refused.body.message).toContain(reset);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      const usage = await t.app.get(ExternalUsersService).usage(t.workspace.id, user.id);
      expect(usage.assistantMessages).toMatchObject({
        used: 3,
        limit: 3,
        remaining: 0,
        resetsAt: new Date(reset),
      });
    });

    it('counts without limit for a tier of null and for a user without a tier, and refuses at once for 0', async () => {
      const unlimited = await createTier({ name: 'Unlimited', maxAssistantMessages: null });
      for (const body of [{ tierId: unlimited.id }, {}]) {
        const user = await createUser(body);
        for (let i = 0; i < 5; i++) {
          const res = await t.http.post('/assistant/messages').set(bearer(user.accessToken));
          expect(res.status).toBe(200);
          expect(res.body.quota).toMatchObject({ used: i + 1, limit: null, remaining: null });
        }
      }
      const none = await createTier({ name: 'None', maxAssistantMessages: 0 });
      const user = await createUser({ tierId: none.id });
      expect((await t.http.post('/assistant/messages').set(bearer(user.accessToken))).status).toBe(429);
    });

    it('sees a tier change on the next request: a raised limit lets the user continue', async () => {
      const tier = await createTier({ name: 'Raise me', maxAssistantMessages: 1 });
      const user = await createUser({ tierId: tier.id });
      const send = () => t.http.post('/assistant/messages').set(bearer(user.accessToken));
      expect((await send()).status).toBe(200);
      expect((await send()).status).toBe(429);
      await t.http.patch(`/api/v1/tiers/${tier.id}`).set(key()).send({ maxAssistantMessages: 2 });
      expect((await send()).status).toBe(200);
    });

    it("applies the group's tier to a member without its own, and the own tier first", async () => {
      const pro = await createTier({ name: 'pro' });
      const basic = await createTier({ name: 'basic' });
      const group = (
        await t.http
          .post('/api/v1/external-user-groups')
          .set(key())
          .send({ externalId: 'pro-group', name: 'Pros', tierId: pro.id })
      ).body;
      const member = await createUser({ externalUserGroupId: group.id });
      const own = await createUser({ externalUserGroupId: group.id, tierId: basic.id });
      const loner = await createUser();
      const proRoute = (token: string) => t.http.get('/assistant/pro').set(bearer(token));
      expect((await proRoute(member.accessToken)).status).toBe(200);
      expect((await proRoute(own.accessToken)).status).toBe(403);
      expect((await proRoute(loner.accessToken)).status).toBe(403);
      const service = t.app.get(ExternalUsersService);
      expect((await service.effectiveTier(t.workspace.id, member.id))?.name).toBe('pro');
      expect((await service.effectiveTier(t.workspace.id, own.id))?.name).toBe('basic');
      // the group loses its tier: the member's cached token sees it on the next request
      await t.http.patch(`/api/v1/external-user-groups/${group.id}`).set(key()).send({ tierId: null });
      expect((await proRoute(member.accessToken)).status).toBe(403);
    });

    it('keeps no plaintext access token in any table', async () => {
      const user = await createUser({ externalId: 'secretive' });
      const again = await authenticate({ externalId: 'secretive' });
      for (const token of [user.accessToken, again.body.accessToken as string]) {
        for (const table of [
          'identity_external_users',
          'identity_external_user_tokens',
          'identity_super_identities',
          'identity_external_user_quota_usage',
          'identity_audit_log',
        ]) {
          const dump = JSON.stringify(await t.dataSource.query(`SELECT * FROM ${table}`));
          expect(dump).not.toContain(token.slice(12));
        }
      }
    });
  });

  describe('tenancy', () => {
    it("answers 404 to another workspace's key on every id route", async () => {
      const tier = await createTier({ name: 'Mine' });
      const group = (
        await t.http
          .post('/api/v1/external-user-groups')
          .set(key())
          .send({ externalId: 'mine', name: 'Mine' })
      ).body;
      const user = await createUser({ externalId: 'mine' });
      const other = await t.createWorkspace('Intruder');
      const theirs = { Authorization: other.writeKey };
      const routes: [string, string, Record<string, unknown>?][] = [
        ['get', `/api/v1/external-users/${user.id}`],
        ['patch', `/api/v1/external-users/${user.id}`, { blocked: true }],
        ['get', `/api/v1/external-user-groups/${group.id}`],
        ['patch', `/api/v1/external-user-groups/${group.id}`, { name: 'Stolen' }],
        ['delete', `/api/v1/external-user-groups/${group.id}`],
        ['get', `/api/v1/tiers/${tier.id}`],
        ['patch', `/api/v1/tiers/${tier.id}`, { name: 'Stolen' }],
        ['delete', `/api/v1/tiers/${tier.id}`],
        ['get', `/api/v1/channels/${channelId}`],
        ['patch', `/api/v1/channels/${channelId}`, { name: 'Stolen' }],
        ['delete', `/api/v1/channels/${channelId}`],
      ];
      for (const [method, path, body] of routes) {
        const call = t.http[method as 'get' | 'patch' | 'delete'](path).set(theirs);
        const res = body ? await call.send(body) : await call;
        expect([path, res.status]).toEqual([path, 404]);
      }
      // nor does it see them in lists, or create users in this workspace's channel
      expect((await t.http.get('/api/v1/external-users').set(theirs)).body).toEqual([]);
      expect((await t.http.get('/api/v1/tiers').set(theirs)).body).toEqual([]);
      const foreignCreate = await t.http.post('/api/v1/external-users').set(theirs).send({ channelId });
      expect(foreignCreate.status).toBe(404);
      // and nothing changed
      expect((await t.http.get(`/api/v1/external-users/${user.id}`).set(key())).body.blocked).toBe(false);
      expect((await t.http.get(`/api/v1/tiers/${tier.id}`).set(key())).body.name).toBe('Mine');
    });

    it('answers 400 for a malformed id in the path', async () => {
      const res = await t.http.get('/api/v1/external-users/not-a-uuid').set(key());
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        message: 'Invalid data provided.',
        details: [{ field: 'id', message: expect.stringContaining('id') }],
      });
    });

    it("answers a body that is not JSON in Zaia's shape", async () => {
      const res = await t.http
        .post('/api/v1/channels')
        .set(key())
        .set('Content-Type', 'application/json')
        .send('{"name": ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: 'Invalid data provided.', details: [] });
    });

    it("answers 401 in Zaia's shape without a key", async () => {
      const res = await t.http.get('/api/v1/external-users');
      expect(res.status).toBe(401);
      expect(Object.keys(res.body)).toEqual(['message']);
    });
  });
});
