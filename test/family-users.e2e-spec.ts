import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { FAMILY_USER_ACTIONS, IdentityEvents } from '../libs/identity/src/index.js';
import { createTestApp, type TestApp } from './utils/test-app.js';

type Body = Record<string, unknown>;

/** The fields DESIGN 4.4 requires in every `meta_info`. */
const META_FIELDS = [
  'u_name',
  'total_forms',
  'completed_forms',
  'total_user_forms',
  'total_completed_user_forms',
  'total_user_mandatory_forms',
  'total_completed_user_mandatory_forms',
  'total_order',
  'total_paid',
  'total_balance',
  'status_id',
  'status_name',
];

/** Regpack's header set: Api-id (the key's public id), Api-token, Api-user, Timestamp (unix seconds). */
function regpackHeaders(key: string, apiUser = 'integration@example.com', timestamp = Date.now()) {
  return {
    'Api-id': key.slice(4, 12),
    'Api-token': key,
    'Api-user': apiUser,
    Timestamp: String(Math.floor(timestamp / 1000)),
  };
}

let sequence = 0;
/** A unique username for each person a test creates. */
const username = (label: string) => `${label}.${++sequence}@example.com`;

describe('family users (Regpack /reg/api2)', () => {
  let t: TestApp;
  let groupId: number;

  beforeAll(async () => {
    t = await createTestApp({ identity: { familyUsers: { loginFailures: { maxPerWindow: 3 } } } });
    groupId = await createProject(t.workspace.writeKey, 'Summer camp');
  });

  afterAll(async () => {
    await t.close();
  });

  async function users(body: Body, key = t.workspace.writeKey) {
    return t.http.post('/reg/api2/users/').set(regpackHeaders(key)).send(body);
  }

  async function createProject(key: string, name: string): Promise<number> {
    const res = await t.http
      .post('/reg/api2/projects/')
      .set('Authorization', `Token ${key}`)
      .send({ action: 'create', doc: { name } });
    expect(res.status).toBe(200);
    return Number(res.body.group_id);
  }

  async function createParent(doc: Body = {}, group = groupId) {
    const res = await users({
      action: 'create',
      group_id: group,
      doc: {
        username: username('parent'),
        password: 'parent-password-1',
        main_email: 'parent@example.com',
        first_name: 'Pat',
        last_name: 'Parent',
        ...doc,
      },
    });
    expect(res.status).toBe(200);
    return res;
  }

  async function createChild(parentClogin: string, first = 'Kid', group = groupId) {
    const res = await users({
      action: 'create_child',
      group_id: group,
      connected_to: parentClogin,
      doc: { first_name: first, last_name: 'Parent' },
    });
    expect(res.status).toBe(200);
    return res;
  }

  async function loginAndStartSession(user: string, password: string, group = groupId) {
    const login = await users({ action: 'login', group_id: group, doc: { username: user, password } });
    expect(login.status).toBe(200);
    const session = await t.http.post('/reg/api2/session').send({ user_token: login.body.user_token });
    expect(session.status).toBe(200);
    return session.body.session_token as string;
  }

  function expectRegpackUser(body: Body) {
    expect(body).toMatchObject({ success: true, msg: expect.any(String), msg_type: 'success' });
    const userInfo = body.user_info as Record<string, unknown>;
    const metaInfo = body.meta_info as Record<string, unknown>;
    expect(Object.keys(userInfo).sort()).toEqual(['clogin_id', 'connected_to', 'group_id']);
    for (const field of META_FIELDS) {
      expect(metaInfo).toHaveProperty(field);
    }
    for (const value of [...Object.values(userInfo), ...Object.values(metaInfo)]) {
      expect(typeof value).toBe('string');
    }
  }

  describe('the seed', () => {
    it("accepts the seed's create call with Regpack's header set and answers its envelope, every value a string", async () => {
      const res = await t.http
        .post('/reg/api2/users/')
        .set(regpackHeaders(t.workspace.writeKey, 'jane.admin@client.example'))
        .set('Content-Type', 'application/json')
        .send(
          JSON.stringify({
            action: 'create',
            group_id: String(groupId),
            doc: {
              username: 'seed.user@example.com',
              password: 'seed-password',
              main_email: 'seed.user@example.com',
              first_name: 'Seed',
              last_name: 'User',
            },
          }),
        );
      expect(res.status).toBe(200);
      expectRegpackUser(res.body);
      expect(res.body.msg).toBe('User created');
      expect(res.body.user_info).toEqual({
        clogin_id: expect.stringMatching(/^\d+$/),
        group_id: String(groupId),
        connected_to: res.body.user_info.clogin_id,
      });
      expect(res.body.meta_info).toMatchObject({
        u_name: 'Seed User',
        total_forms: '1',
        completed_forms: '1',
        total_order: '0.00',
        total_paid: '0.00',
        total_balance: '0.00',
        status_id: '0',
        status_name: '',
      });
      // Api-user is in the audit row of the write, with the key's id.
      const audit = await t.http
        .get('/identity/audit-log')
        .set('Authorization', `Token ${t.workspace.writeKey}`);
      expect(audit.body.data).toContainEqual(
        expect.objectContaining({
          action: 'family-user.create',
          actorType: 'api_key',
          apiUser: 'jane.admin@client.example',
        }),
      );
    });
  });

  describe('projects and families', () => {
    it('creates projects with consecutive group_ids as strings', async () => {
      const res = await t.http
        .post('/reg/api2/projects/')
        .set(regpackHeaders(t.workspace.writeKey))
        .send({ action: 'create', doc: { name: 'Winter camp' } });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        success: true,
        msg: 'Project created',
        msg_type: 'success',
        group_id: expect.stringMatching(/^\d+$/),
        name: 'Winter camp',
      });
      const next = await createProject(t.workspace.writeKey, 'Spring camp');
      expect(next).toBe(Number(res.body.group_id) + 1);
    });

    it("links a child to its parent: the child's connected_to is the parent's clogin_id, the parent's its own", async () => {
      const parent = await createParent();
      const child = await createChild(parent.body.user_info.clogin_id);
      expectRegpackUser(child.body);
      expect(child.body.msg).toBe('Child created');
      expect(parent.body.user_info.connected_to).toBe(parent.body.user_info.clogin_id);
      expect(child.body.user_info.connected_to).toBe(parent.body.user_info.clogin_id);
      expect(child.body.user_info.clogin_id).not.toBe(parent.body.user_info.clogin_id);
      expect(child.body.meta_info.u_name).toBe('Kid Parent');
    });

    it('get_info with _family lists the parent and the children, parent first', async () => {
      const parent = await createParent();
      const pc = parent.body.user_info.clogin_id;
      const first = await createChild(pc, 'Ann');
      const second = await createChild(pc, 'Ben');
      for (const clogin of [pc, first.body.user_info.clogin_id]) {
        const info = await users({
          action: 'get_info',
          group_id: groupId,
          clogin_id: clogin,
          doc: { _family: 1 },
        });
        expect(info.status).toBe(200);
        expectRegpackUser(info.body);
        expect(info.body.family.map((m: Body) => (m.user_info as Body).clogin_id)).toEqual([
          pc,
          first.body.user_info.clogin_id,
          second.body.user_info.clogin_id,
        ]);
        expect(info.body.family[1].meta_info.u_name).toBe('Ann Parent');
      }
    });

    it('answers the get_info sections the doc flags ask for, and only those', async () => {
      const parent = await createParent({ utm_source: 'newsletter', shirt_size: 'M' });
      const clogin = parent.body.user_info.clogin_id;
      const bare = await users({ action: 'get_info', group_id: groupId, clogin_id: clogin });
      expect(Object.keys(bare.body).sort()).toEqual(['meta_info', 'msg', 'msg_type', 'success', 'user_info']);
      const full = await users({
        action: 'get_info',
        group_id: groupId,
        clogin_id: clogin,
        doc: {
          _allfields: true,
          _userproducts: true,
          _userforms: true,
          _usercart: true,
          _userpayments: true,
          _utm: true,
        },
      });
      expect(full.status).toBe(200);
      expect(full.body.user_fields).toMatchObject({ shirt_size: 'M', first_name: 'Pat' });
      expect(full.body.user_fields).not.toHaveProperty('password');
      expect(full.body.user_products).toEqual([]);
      expect(full.body.user_forms).toEqual([
        expect.objectContaining({ form_id: '1', is_mandatory: '1', is_completed: '1' }),
      ]);
      expect(full.body.user_cart).toEqual({
        items: [],
        total_order: '0.00',
        total_paid: '0.00',
        total_balance: '0.00',
      });
      expect(full.body.user_payments).toEqual([]);
      expect(full.body.utm).toEqual({ utm_source: 'newsletter' });
    });

    it('keeps one clogin_id for one person (same username) across projects, and one password', async () => {
      const other = await createProject(t.workspace.writeKey, 'Second project');
      const name = username('twice');
      const first = await createParent({ username: name });
      const second = await createParent(
        { username: name.toUpperCase(), password: 'another-password' },
        other,
      );
      expect(second.body.user_info).toEqual({
        clogin_id: first.body.user_info.clogin_id,
        group_id: String(other),
        connected_to: first.body.user_info.clogin_id,
      });
      // The second create registered the person; it did not change their password.
      const login = await users({
        action: 'login',
        group_id: other,
        doc: { username: name, password: 'parent-password-1' },
      });
      expect(login.status).toBe(200);
      const again = await users({
        action: 'create',
        group_id: other,
        doc: { username: name, password: 'parent-password-1', main_email: 'p@example.com' },
      });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({
        success: false,
        msg: expect.stringMatching(/already registered/),
        msg_type: 'error',
      });
    });
  });

  describe('login, session and FamilyUserGuard', () => {
    it('answers a single-use user_token that starts one session and then never works again', async () => {
      const name = username('login');
      const parent = await createParent({ username: name });
      const login = await users({
        action: 'login',
        group_id: groupId,
        doc: { username: name, password: 'parent-password-1' },
      });
      expect(login.status).toBe(200);
      expectRegpackUser(login.body);
      expect(login.body.msg).toBe('User logged in');
      expect(login.body.user_info).toEqual(parent.body.user_info);
      expect(login.body.user_token).toMatch(/^fut_[0-9A-Za-z]+$/);
      const expiresIn = Date.parse(login.body.user_token_expires_at) - Date.now();
      expect(expiresIn).toBeGreaterThan(9 * 60 * 1000);
      expect(expiresIn).toBeLessThanOrEqual(10 * 60 * 1000);

      const session = await t.http.post('/reg/api2/session').send({ user_token: login.body.user_token });
      expect(session.status).toBe(200);
      expect(session.body).toMatchObject({
        success: true,
        msg_type: 'success',
        session_token: expect.stringMatching(/^fst_[0-9A-Za-z]+$/),
        user_info: { clogin_id: parent.body.user_info.clogin_id, group_id: String(groupId) },
      });
      const again = await t.http.post('/reg/api2/session').send({ user_token: login.body.user_token });
      expect(again.status).toBe(401);
      expect(again.body).toEqual({
        success: false,
        msg: expect.stringMatching(/user_token/),
        msg_type: 'error',
      });

      const mine = await t.http
        .get('/family/registrations')
        .set('Authorization', `Bearer ${session.body.session_token}`);
      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({
        clogin_id: parent.body.user_info.clogin_id,
        acting_for: parent.body.user_info.clogin_id,
        registrations: [{ user_info: parent.body.user_info }],
      });
    });

    it('lets exactly one of two simultaneous exchanges of one user_token succeed', async () => {
      const name = username('race');
      await createParent({ username: name });
      const login = await users({
        action: 'login',
        group_id: groupId,
        doc: { username: name, password: 'parent-password-1' },
      });
      const results = await Promise.all(
        [1, 2, 3].map(() => t.http.post('/reg/api2/session').send({ user_token: login.body.user_token })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 401, 401]);
    });

    it('refuses an expired user_token', async () => {
      const name = username('late');
      await createParent({ username: name });
      const login = await users({
        action: 'login',
        group_id: groupId,
        doc: { username: name, password: 'parent-password-1' },
      });
      // Ten minutes later: move the token's end into the past.
      await t.dataSource
        .createQueryBuilder()
        .update('identity_family_login_tokens')
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where('prefix = :prefix', { prefix: String(login.body.user_token).slice(0, 12) })
        .execute();
      const res = await t.http.post('/reg/api2/session').send({ user_token: login.body.user_token });
      expect(res.status).toBe(401);
    });

    it('refuses a missing, malformed or unknown session token on the host route', async () => {
      expect((await t.http.get('/family/registrations')).status).toBe(401);
      expect((await t.http.get('/family/registrations').set('Authorization', 'Bearer fst_nope')).status).toBe(
        401,
      );
      const session = await loginAndStartSession(...(await parentWithLogin()));
      const tampered = session.slice(0, -8) + 'AAAAAAAA';
      expect(
        (await t.http.get('/family/registrations').set('Authorization', `Bearer ${tampered}`)).status,
      ).toBe(401);
      // A user_token is not a session token.
      const [name, password] = await parentWithLogin();
      const login = await users({ action: 'login', group_id: groupId, doc: { username: name, password } });
      const asSession = await t.http
        .get('/family/registrations')
        .set('Authorization', `Bearer ${login.body.user_token}`);
      expect(asSession.status).toBe(401);
    });

    async function parentWithLogin(): Promise<[string, string, number]> {
      const name = username('guarded');
      await createParent({ username: name });
      return [name, 'parent-password-1', groupId];
    }

    it("lets a parent act for their own child (audited with both ids), and refuses a stranger's child with 403", async () => {
      const [name, password] = await parentWithLogin();
      const parent = await users({ action: 'login', group_id: groupId, doc: { username: name, password } });
      const pc = parent.body.user_info.clogin_id;
      const child = await createChild(pc, 'Own');
      const stranger = await createParent();
      const strangersChild = await createChild(stranger.body.user_info.clogin_id, 'Other');
      const session = await loginAndStartSession(name, password);

      const own = await t.http
        .get('/family/registrations')
        .set('Authorization', `Bearer ${session}`)
        .set('X-Acting-For', child.body.user_info.clogin_id);
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({
        clogin_id: pc,
        acting_for: child.body.user_info.clogin_id,
        registrations: [{ user_info: child.body.user_info }],
      });
      const audit = await t.http
        .get('/identity/audit-log')
        .set('Authorization', `Token ${t.workspace.writeKey}`);
      expect(audit.body.data).toContainEqual(
        expect.objectContaining({
          action: 'family-user.act-for',
          actorType: 'family_user',
          actorId: pc,
          targetId: child.body.user_info.clogin_id,
        }),
      );

      for (const target of [
        strangersChild.body.user_info.clogin_id,
        stranger.body.user_info.clogin_id,
        '999999',
      ]) {
        const res = await t.http
          .get('/family/registrations')
          .set('Authorization', `Bearer ${session}`)
          .set('X-Acting-For', target);
        expect(res.status).toBe(403);
      }
      const self = await t.http
        .get('/family/registrations')
        .set('Authorization', `Bearer ${session}`)
        .set('X-Acting-For', pc);
      expect(self.status).toBe(200);
    });

    it('ends every session of a person when their password changes', async () => {
      const [name, password] = await parentWithLogin();
      const session = await loginAndStartSession(name, password);
      const me = await t.http.get('/family/registrations').set('Authorization', `Bearer ${session}`);
      expect(me.status).toBe(200); // now cached
      const update = await users({
        action: 'update',
        group_id: groupId,
        clogin_id: me.body.clogin_id,
        doc: { password: 'a-new-password' },
      });
      expect(update.status).toBe(200);
      expect(
        (await t.http.get('/family/registrations').set('Authorization', `Bearer ${session}`)).status,
      ).toBe(401);
      const old = await users({ action: 'login', group_id: groupId, doc: { username: name, password } });
      expect(old.status).toBe(401);
      expect(await loginAndStartSession(name, 'a-new-password')).toMatch(/^fst_/);
    });

    it('answers an unknown username and a wrong password alike, and limits failures per username (429)', async () => {
      const [name] = await parentWithLogin();
      const wrong = await users({
        action: 'login',
        group_id: groupId,
        doc: { username: name, password: 'not-it!' },
      });
      const unknown = await users({
        action: 'login',
        group_id: groupId,
        doc: { username: username('nobody'), password: 'not-it!' },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      // maxPerWindow is 3 in this app: two more failures, then even the right password waits.
      await users({ action: 'login', group_id: groupId, doc: { username: name, password: 'not-it!' } });
      await users({ action: 'login', group_id: groupId, doc: { username: name, password: 'not-it!' } });
      const limited = await users({
        action: 'login',
        group_id: groupId,
        doc: { username: name.toUpperCase(), password: 'parent-password-1' },
      });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ success: false, msg_type: 'error' });
    });
  });

  describe('statuses and user lists', () => {
    it('hides users with an excluded status from get_user_list unless with_excluded, and 0 clears the status', async () => {
      const project = await createProject(t.workspace.writeKey, 'Lists');
      const a = await createParent({}, project);
      const b = await createParent({}, project);
      const child = await createChild(b.body.user_info.clogin_id, 'Kid', project);
      const status = await t.http
        .post('/reg/api2/statuses/')
        .set(regpackHeaders(t.workspace.writeKey))
        .send({
          action: 'create',
          group_id: project,
          doc: { status_name: 'Cancelled', color: 'FF0000', is_excluded: true },
        });
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({
        success: true,
        msg_type: 'success',
        status_id: expect.stringMatching(/^\d+$/),
        status_name: 'Cancelled',
        color: '#ff0000',
        is_excluded: '1',
      });
      const list = async (extra: Body = {}) => {
        const res = await users({ action: 'get_user_list', group_id: project, ...extra });
        expect(res.status).toBe(200);
        expectRegpackUser(res.body);
        return (res.body.users as { user_info: Body }[]).map((u) => u.user_info.clogin_id);
      };
      const ids = [a, b, child].map((r) => r.body.user_info.clogin_id);
      expect(await list()).toEqual(ids);

      const set = await users({
        action: 'set_status',
        group_id: project,
        clogin_id: ids[0],
        doc: { status_id: status.body.status_id },
      });
      expect(set.status).toBe(200);
      expect(set.body.meta_info).toMatchObject({
        status_id: status.body.status_id,
        status_name: 'Cancelled',
      });
      expect(set.body.affected_users).toEqual([
        { user_info: a.body.user_info, meta_info: set.body.meta_info },
      ]);

      expect(await list()).toEqual([ids[1], ids[2]]);
      expect(await list({ with_excluded: true })).toEqual(ids);
      expect(await list({ doc: { with_excluded: '1' } })).toEqual(ids);
      expect(await list({ only_excluded: 1 })).toEqual([ids[0]]);
      expect(await list({ only_parents: true })).toEqual([ids[1]]);
      expect(await list({ only_children: true })).toEqual([ids[2]]);
      const families = await users({ action: 'get_user_list', group_id: project, return_families: true });
      expect(families.body.users).toEqual([
        expect.objectContaining({
          user_info: b.body.user_info,
          children: [expect.objectContaining({ user_info: child.body.user_info })],
        }),
      ]);
      const page = await users({
        action: 'get_user_list',
        group_id: project,
        with_excluded: true,
        starting_position: 1,
      });
      expect(page.body).toMatchObject({ total_users: '3', next_position: '' });
      expect(page.body.users).toHaveLength(2);

      const cleared = await users({
        action: 'set_status',
        group_id: project,
        clogin_id: ids[0],
        status_id: 0,
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.meta_info).toMatchObject({ status_id: '0', status_name: '' });
      expect(await list()).toEqual(ids);
    });

    it('refuses a status of another project (404) and a status without name or colour (400)', async () => {
      const other = await createProject(t.workspace.writeKey, 'Other statuses');
      const status = await t.http
        .post('/reg/api2/statuses/')
        .set(regpackHeaders(t.workspace.writeKey))
        .send({ action: 'create', group_id: other, status_name: 'Paid', color: '#00ff00' });
      expect(status.status).toBe(200);
      const parent = await createParent();
      const res = await users({
        action: 'set_status',
        group_id: groupId,
        clogin_id: parent.body.user_info.clogin_id,
        status_id: status.body.status_id,
      });
      expect(res.status).toBe(404);
      const bad = await t.http
        .post('/reg/api2/statuses/')
        .set(regpackHeaders(t.workspace.writeKey))
        .send({ action: 'create', group_id: other, doc: { color: 'blue' } });
      expect(bad.status).toBe(400);
      expect(bad.body.msg).toMatch(/status_name/);
      expect(bad.body.msg).toMatch(/color/);
    });
  });

  describe('updates, products and emails', () => {
    it('merges updated form fields, and submit_forms: false saves without submitting', async () => {
      const created = await users({
        action: 'create',
        group_id: groupId,
        submit_forms: false,
        doc: {
          username: username('draft'),
          password: 'draft-password',
          main_email: 'd@example.com',
          first_name: 'Dee',
        },
      });
      expect(created.body.meta_info.completed_forms).toBe('0');
      const clogin = created.body.user_info.clogin_id;
      const saved = await users({
        action: 'update',
        group_id: groupId,
        clogin_id: clogin,
        submit_forms: 'false',
        doc: { last_name: 'Raft' },
      });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({
        msg: 'User updated',
        meta_info: { u_name: 'Dee Raft', completed_forms: '0' },
      });
      const submitted = await users({
        action: 'update',
        group_id: groupId,
        clogin_id: clogin,
        doc: { allergies: 'none' },
      });
      expect(submitted.body.meta_info.completed_forms).toBe('1');
      const info = await users({
        action: 'get_info',
        group_id: groupId,
        clogin_id: clogin,
        doc: { _allfields: true },
      });
      expect(info.body.user_fields).toEqual({
        main_email: 'd@example.com',
        first_name: 'Dee',
        last_name: 'Raft',
        allergies: 'none',
      });
    });

    it('adds products and records emails; disable_email_sending suppresses the email event', async () => {
      const events: { name: string; payload: Body }[] = [];
      const emitter = t.app.get(EventEmitter2);
      const listener = (name: string | string[], payload: Body) =>
        events.push({ name: String(name), payload });
      emitter.onAny(listener);
      try {
        const parent = await createParent();
        const clogin = parent.body.user_info.clogin_id;
        const added = await users({
          action: 'add_product',
          group_id: groupId,
          clogin_id: clogin,
          doc: {
            product_list: [
              { p_id: 12, q: 2, product_remark: 'blue' },
              { p_id: '13', recurring_start_date: '2025-09-01' },
            ],
          },
        });
        expect(added.status).toBe(200);
        expect(added.body.user_products).toEqual([
          { p_id: '12', q: '2', product_remark: 'blue', recurring_start_date: '' },
          { p_id: '13', q: '1', product_remark: '', recurring_start_date: '2025-09-01' },
        ]);
        const info = await users({
          action: 'get_info',
          group_id: groupId,
          clogin_id: clogin,
          doc: { _userproducts: true },
        });
        expect(info.body.user_products).toEqual(added.body.user_products);
        const badProducts = await users({
          action: 'add_product',
          group_id: groupId,
          clogin_id: clogin,
          doc: { product_list: [{ q: 0 }, { p_id: 1, recurring_start_date: '2025-02-30' }] },
        });
        expect(badProducts.status).toBe(400);
        expect(badProducts.body.msg).toMatch(
          /product_list\.0\.p_id.*product_list\.0\.q.*product_list\.1\.recurring_start_date/,
        );

        const email = {
          from: 'camp@example.com',
          to: 'parent@example.com',
          subject: 'Welcome',
          body: 'Hello',
          cc: 'x@example.com',
          admin_id: 7,
        };
        const sent = await users({ action: 'add_email', group_id: groupId, clogin_id: clogin, doc: email });
        expect(sent.status).toBe(200);
        expect(sent.body).toMatchObject({ msg: 'Email added', email_id: expect.any(String) });
        const quiet = await users({
          action: 'add_email',
          group_id: groupId,
          clogin_id: clogin,
          disable_email_sending: true,
          doc: email,
        });
        expect(quiet.status).toBe(200);
        const emailEvents = events.filter((e) => e.name === IdentityEvents.familyUserEmail);
        expect(emailEvents.map((e) => e.payload.emailId)).toContain(sent.body.email_id);
        expect(emailEvents.map((e) => e.payload.emailId)).not.toContain(quiet.body.email_id);
        const rows: unknown[] = await t.dataSource.query('SELECT * FROM identity_family_email_records');
        expect(rows.length).toBeGreaterThanOrEqual(2);
      } finally {
        emitter.offAny(listener);
      }
      expect(events.map((e) => e.name)).toEqual(
        expect.arrayContaining([IdentityEvents.familyUserCreated, IdentityEvents.familyUserUpdated]),
      );
      for (const { payload } of events) {
        expect(JSON.stringify(payload)).not.toMatch(/password|@example\.com/);
      }
    });
  });

  describe('refusals', () => {
    it.each([
      [
        'an unknown action',
        { action: 'delete', group_id: 1 },
        400,
        new RegExp(FAMILY_USER_ACTIONS.join(', ')),
      ],
      ['a missing group_id', { action: 'get_user_list' }, 400, /group_id/],
      ['a group_id that is not a number', { action: 'get_user_list', group_id: 'abc' }, 400, /group_id/],
      ['an unknown group_id', { action: 'get_user_list', group_id: 999_999 }, 404, /group_id 999999/],
      ['a missing clogin_id', { action: 'get_info', group_id: 'G' }, 400, /clogin_id/],
      [
        'create_child without connected_to',
        { action: 'create_child', group_id: 'G', doc: { first_name: 'A' } },
        400,
        /connected_to/,
      ],
      [
        'create_child of an unknown parent',
        { action: 'create_child', group_id: 'G', connected_to: 999_999 },
        404,
        /Parent/,
      ],
      [
        'create without username, password or main_email',
        { action: 'create', group_id: 'G', doc: {} },
        400,
        /doc\.username.*doc\.password.*doc\.main_email/,
      ],
      [
        'a password shorter than 6',
        {
          action: 'create',
          group_id: 'G',
          doc: { username: 'short@example.com', password: '12345', main_email: 's@example.com' },
        },
        400,
        /doc\.password/,
      ],
      [
        'a doc that is not an object',
        { action: 'get_info', group_id: 'G', clogin_id: 1, doc: [1] },
        400,
        /doc/,
      ],
      ['an unknown clogin_id', { action: 'get_info', group_id: 'G', clogin_id: 999_999 }, 404, /999999/],
    ])("answers %s with a clear 4xx in Regpack's error shape", async (_case, body, status, message) => {
      const res = await users(JSON.parse(JSON.stringify(body).replace('"G"', String(groupId))) as Body);
      expect(res.status).toBe(status);
      expect(res.body).toEqual({ success: false, msg: expect.stringMatching(message), msg_type: 'error' });
    });

    it('refuses system (_-prefixed) fields in update with a 400 naming each', async () => {
      const parent = await createParent();
      const res = await users({
        action: 'update',
        group_id: groupId,
        clogin_id: parent.body.user_info.clogin_id,
        doc: { first_name: 'X', _status: 'paid', _balance: 0 },
      });
      expect(res.status).toBe(400);
      expect(res.body.msg).toMatch(/_status, _balance/);
    });

    it("answers malformed JSON in Regpack's error shape", async () => {
      const res = await t.http
        .post('/reg/api2/users/')
        .set(regpackHeaders(t.workspace.writeKey))
        .set('Content-Type', 'application/json')
        .send('{"action": "create", ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ success: false, msg: expect.any(String), msg_type: 'error' });
    });

    it('refuses a stale Timestamp with 401, and a missing key with 401', async () => {
      const stale = await t.http
        .post('/reg/api2/users/')
        .set(regpackHeaders(t.workspace.writeKey, 'x', Date.now() - 6 * 60 * 1000))
        .send({ action: 'get_user_list', group_id: groupId });
      expect(stale.status).toBe(401);
      expect(stale.body).toEqual({
        success: false,
        msg: expect.stringMatching(/Timestamp/),
        msg_type: 'error',
      });
      const none = await t.http.post('/reg/api2/users/').send({ action: 'get_user_list', group_id: groupId });
      expect(none.status).toBe(401);
    });

    it("answers another workspace's key with 404 for this workspace's project and people", async () => {
      const other = await t.createWorkspace('Other org');
      const parent = await createParent();
      for (const body of [
        { action: 'get_user_list', group_id: groupId },
        { action: 'get_info', group_id: groupId, clogin_id: parent.body.user_info.clogin_id },
        { action: 'create_child', group_id: groupId, connected_to: parent.body.user_info.clogin_id },
      ]) {
        const res = await users(body, other.writeKey);
        expect(res.status).toBe(404);
      }
      const statuses = await t.http
        .post('/reg/api2/statuses/')
        .set(regpackHeaders(other.writeKey))
        .send({ action: 'create', group_id: groupId, status_name: 'X', color: '#000000' });
      expect(statuses.status).toBe(404);
    });

    it('lets a read-only key read (get_info, get_user_list) but not write (403)', async () => {
      const parent = await createParent();
      const read = t.workspace.readKey;
      expect((await users({ action: 'get_user_list', group_id: groupId }, read)).status).toBe(200);
      expect(
        (
          await users(
            { action: 'get_info', group_id: groupId, clogin_id: parent.body.user_info.clogin_id },
            read,
          )
        ).status,
      ).toBe(200);
      const write = await users(
        { action: 'update', group_id: groupId, clogin_id: parent.body.user_info.clogin_id, doc: { a: 1 } },
        read,
      );
      expect(write.status).toBe(403);
      const login = await users(
        { action: 'login', group_id: groupId, doc: { username: 'x', password: 'yyyyyy' } },
        read,
      );
      expect(login.status).toBe(403);
    });
  });

  describe('secrets at rest', () => {
    it('stores no password, user_token or session token in plaintext anywhere in the database', async () => {
      const password = 'Plaintext-Canary-Password-42';
      const name = username('canary');
      await createParent({ username: name, password });
      const login = await users({ action: 'login', group_id: groupId, doc: { username: name, password } });
      const userToken: string = login.body.user_token;
      const session = await t.http.post('/reg/api2/session').send({ user_token: userToken });
      const sessionToken: string = session.body.session_token;
      await users({
        action: 'update',
        group_id: groupId,
        clogin_id: login.body.user_info.clogin_id,
        doc: { password: `${password}-2` },
      });
      const tables: { name: string }[] = await t.dataSource.query(
        t.database.config.type === 'postgres'
          ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
          : "SELECT name FROM sqlite_master WHERE type = 'table'",
      );
      let dump = '';
      for (const { name: table } of tables) {
        dump += JSON.stringify(await t.dataSource.query(`SELECT * FROM "${table}"`));
      }
      expect(dump).toContain(name); // the scan sees the data
      for (const secret of [
        password,
        `${password}-2`,
        userToken,
        sessionToken,
        userToken.slice(4, 40),
        sessionToken.slice(4, 40),
      ]) {
        expect(dump).not.toContain(secret);
      }
      expect(dump).toMatch(/\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });
  });
});
