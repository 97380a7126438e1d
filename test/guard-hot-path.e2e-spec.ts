import { beforeAll, describe, expect, it } from '@jest/globals';
import {
  ApiKeysService,
  ChannelsService,
  ExternalUsersService,
  UserGroupsService,
} from '../libs/identity/src/index.js';
import { describeWithApp } from './utils/describe-with-app.js';
import { queriesDuring } from './utils/query-counter.js';
import { HTTP_ADAPTERS, type TestApp } from './utils/test-app.js';

/** A credential lookup of any guard: every one selects by `hash IN (…)`. */
const CREDENTIAL_LOOKUP = /\bhash IN \(/;

/** The credential lookups the app's data source runs during `call`. */
const countLookups = (t: TestApp, call: () => Promise<unknown>) =>
  queriesDuring(t.dataSource, call, CREDENTIAL_LOOKUP);

/** One credential per guard, each reaching a host route of the demo app. */
interface Credentials {
  apiKey: string;
  apiKeyId: string;
  embedToken: string;
  accessToken: string;
  externalUserId: string;
  session: string;
  groupId: number;
}

const regpack = (key: string) => ({
  'Api-id': key.slice(4, 12),
  'Api-token': key,
  Timestamp: String(Math.floor(Date.now() / 1000)),
});

async function credentials(t: TestApp): Promise<Credentials> {
  const workspaceId = t.workspace.id;
  const { apiKey, secret } = await t.app.get(ApiKeysService).create(workspaceId, { name: 'hot path' });
  const { userGroup } = await t.app
    .get(UserGroupsService)
    .getOrCreate(workspaceId, { providedId: 'hot-path', name: 'Hot path' });
  const channel = await t.app.get(ChannelsService).create(workspaceId, { name: 'web' });
  const external = await t.app
    .get(ExternalUsersService)
    .authenticate(workspaceId, { channelId: channel.id, externalId: 'hot-path-user' });
  // Setup calls use the workspace's own key, so the key under test is first checked by the test itself.
  const setupKey = t.workspace.writeKey;
  const project = await t.http
    .post('/reg/api2/projects/')
    .set('Authorization', `Token ${setupKey}`)
    .send({ action: 'create', doc: { name: 'Hot path camp' } });
  const person = { username: 'hot.path@example.com', password: 'hot-path-password-1' };
  const users = (body: object) => t.http.post('/reg/api2/users/').set(regpack(setupKey)).send(body);
  const created = await users({
    action: 'create',
    group_id: project.body.group_id,
    doc: { ...person, main_email: person.username, first_name: 'Hot', last_name: 'Path' },
  });
  const login = await users({ action: 'login', group_id: project.body.group_id, doc: person });
  const session = await t.http.post('/reg/api2/session').send({ user_token: login.body.user_token });
  expect({
    created: created.status,
    login: login.status,
    session: session.status,
    body: [created.body, login.body],
  }).toMatchObject({
    created: 200,
    login: 200,
    session: 200,
  });
  return {
    apiKey: secret,
    apiKeyId: apiKey.id,
    embedToken: userGroup.token,
    accessToken: external.accessToken,
    externalUserId: external.user.id,
    session: session.body.session_token,
    groupId: project.body.group_id,
  };
}

// The cached path answers without a promise and without the database; these prove it still refuses what
// was revoked, rotated away or blocked on the very next request, on both HTTP platforms.
describe.each(HTTP_ADAPTERS)('guard hot path on %s', (adapter) => {
  describeWithApp(
    'cache hits and invalidation',
    (ctx) => {
      let c: Credentials;
      const get = (path: string, authorization: string) =>
        ctx.app.http.get(path).set('Authorization', authorization);
      const routes = () => [
        { name: '@ApiKeyAuth()', call: () => get('/whoami', `Token ${c.apiKey}`) },
        { name: '@UserGroupAuth()', call: () => get('/whoami/user-group', `Token ${c.embedToken}`) },
        { name: '@ExternalUserAuth()', call: () => get('/assistant/me', `Bearer ${c.accessToken}`) },
        { name: '@FamilyUserAuth()', call: () => get('/family/registrations', `Bearer ${c.session}`) },
      ];

      beforeAll(async () => {
        c = await credentials(ctx.app);
      });

      it('reads the database on the first check and never on a cache hit, for every guard', async () => {
        for (const route of routes()) {
          const first = await countLookups(ctx.app, async () =>
            expect((await route.call()).status).toBe(200),
          );
          const hit = await countLookups(ctx.app, async () => expect((await route.call()).status).toBe(200));
          // The first check is counted (so a zero below means no lookup, not a blind counter).
          expect({ route: route.name, first, hit }).toEqual({ route: route.name, first: 1, hit: 0 });
        }
      });

      it('a cache-hit guard still answers 401 for a missing or foreign credential', async () => {
        expect((await ctx.app.http.get('/whoami')).status).toBe(401);
        expect((await get('/whoami/user-group', `Token ${c.apiKey}`)).status).toBe(401);
        expect((await get('/assistant/me', `Bearer ${c.session}`)).status).toBe(401);
        expect((await get('/family/registrations', `Bearer ${c.accessToken}`)).status).toBe(401);
      });

      it('blocking an external user refuses its cached token on the next request (403), unblocking restores it', async () => {
        expect((await get('/assistant/me', `Bearer ${c.accessToken}`)).status).toBe(200);
        await ctx.app.app.get(ExternalUsersService).block(ctx.app.workspace.id, c.externalUserId);
        expect((await get('/assistant/me', `Bearer ${c.accessToken}`)).status).toBe(403);
        await ctx.app.app.get(ExternalUsersService).unblock(ctx.app.workspace.id, c.externalUserId);
        expect((await get('/assistant/me', `Bearer ${c.accessToken}`)).status).toBe(200);
      });

      it('a password change ends a cached family session on the next request', async () => {
        const me = await get('/family/registrations', `Bearer ${c.session}`);
        expect(me.status).toBe(200);
        const update = await ctx.app.http
          .post('/reg/api2/users/')
          .set(regpack(ctx.app.workspace.writeKey))
          .send({
            action: 'update',
            group_id: c.groupId,
            clogin_id: me.body.clogin_id,
            doc: { password: 'another-password-2' },
          });
        expect(update.status).toBe(200);
        expect((await get('/family/registrations', `Bearer ${c.session}`)).status).toBe(401);
      });

      it('deleting a user group refuses its cached embed token on the next request', async () => {
        expect((await get('/whoami/user-group', `Token ${c.embedToken}`)).status).toBe(200);
        await ctx.app.app.get(UserGroupsService).delete(ctx.app.workspace.id, c.embedToken);
        expect((await get('/whoami/user-group', `Token ${c.embedToken}`)).status).toBe(401);
      });

      it('revoking an API key refuses it on the next request, cached or not', async () => {
        expect((await get('/whoami', `Token ${c.apiKey}`)).status).toBe(200);
        await ctx.app.app.get(ApiKeysService).revoke(ctx.app.workspace.id, c.apiKeyId);
        expect((await get('/whoami', `Token ${c.apiKey}`)).status).toBe(401);
      });
    },
    { adapter },
  );
});
