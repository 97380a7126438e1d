import { expect, it } from '@jest/globals';
import { IdentityError, UserGroupsService } from '../libs/identity/src/index.js';
import { type AppContext, describeWithApp } from './utils/describe-with-app.js';
import { tokenAuth, withKey } from './utils/fixtures.js';
import { HTTP_ADAPTERS, type TestApp } from './utils/test-app.js';
import { queriesDuring } from './utils/query-counter.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls a host route protected by @UserGroupAuth() with an embed token. */
async function dashboard(t: TestApp, token: string) {
  return t.http.get('/whoami/user-group').set(tokenAuth(token));
}

// Guards, `?token=`, the Explo filter and body errors are the HTTP platform's business too: both run them.
for (const adapter of HTTP_ADAPTERS) {
  describeWithApp(`user groups and embed tokens (Explo /api/user) on ${adapter}`, userGroupsAndEmbedTokens, {
    adapter,
  });
}

function userGroupsAndEmbedTokens(ctx: AppContext): void {
  const auth = () => withKey(ctx.app, 'write');

  async function getOrCreate(body: Record<string, unknown>) {
    return ctx.app.http.get('/api/user').set(auth()).send(body);
  }

  it('creates a group on the first call and returns the same group and token afterwards', async () => {
    const first = await getOrCreate({
      name: 'Example 1',
      user_group_id: 'example_1',
      properties: { plan: 'pro' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      success: 1,
      new_user_group: true,
      user_group: {
        team_id: ctx.app.workspace.id,
        name: 'Example 1',
        provided_id: 'example_1',
        api_environment_tag: 'Customer',
        properties: { plan: 'pro' },
      },
    });
    expect(first.body.user_group.token).toMatch(/^ugt_[0-9A-Za-z]+$/);
    const second = await getOrCreate({ name: 'Example 1', user_group_id: 'example_1' });
    expect(second.body).toMatchObject({ success: 1, new_user_group: false });
    expect(second.body.user_group.token).toBe(first.body.user_group.token);
  });

  it('accepts get-or-create fields as query parameters too', async () => {
    const res = await ctx.app.http
      .get('/api/user')
      .query({ name: 'Query group', user_group_id: 'query_1', properties: JSON.stringify({ region: 'eu' }) })
      .set(auth());
    expect(res.status).toBe(200);
    expect(res.body.user_group).toMatchObject({ provided_id: 'query_1', properties: { region: 'eu' } });
  });

  it('keeps Customer and Testing groups with the same provided_id apart', async () => {
    const customer = await getOrCreate({ name: 'Acme', user_group_id: 'acme' });
    const testing = await getOrCreate({
      name: 'Acme (test)',
      user_group_id: 'acme',
      api_environment_tag: 'Testing',
    });
    expect(customer.body.new_user_group).toBe(true);
    expect(testing.body.new_user_group).toBe(true);
    expect(testing.body.user_group.api_environment_tag).toBe('Testing');
    expect(testing.body.user_group.token).not.toBe(customer.body.user_group.token);
    const me = await dashboard(ctx.app, testing.body.user_group.token);
    expect(me.body).toMatchObject({ providedId: 'acme', apiEnvironmentTag: 'Testing' });
  });

  it('creates exactly one group when 50 first calls for one id arrive at once', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => getOrCreate({ name: 'Concurrent', user_group_id: 'concurrent_1' })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(responses.filter((r) => r.body.new_user_group === true)).toHaveLength(1);
    expect(new Set(responses.map((r) => r.body.user_group.token)).size).toBe(1);
    const rows: { n: string | number }[] = await ctx.app.dataSource.query(
      "SELECT COUNT(*) AS n FROM identity_user_groups WHERE provided_id = 'concurrent_1'",
    );
    expect(Number(rows[0].n)).toBe(1);
  });

  it('rotates the token as in the seed curl example: success 1, a new token, the old one refused', async () => {
    const created = await getOrCreate({ name: 'Rotate me', user_group_id: 'rotate_1' });
    const oldToken: string = created.body.user_group.token;
    expect((await dashboard(ctx.app, oldToken)).status).toBe(200); // now cached
    const rotated = await ctx.app.http
      .post('/api/user')
      .set('Content-Type', 'application/json')
      .set(auth())
      .send(JSON.stringify({ current_token: oldToken }));
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({
      success: 1,
      user_group: { provided_id: 'rotate_1', name: 'Rotate me' },
    });
    const newToken: string = rotated.body.user_group.token;
    expect(newToken).not.toBe(oldToken);
    expect((await dashboard(ctx.app, oldToken)).status).toBe(401);
    expect((await dashboard(ctx.app, newToken)).status).toBe(200);
    // get-or-create now hands out the new token
    expect((await getOrCreate({ name: 'Rotate me', user_group_id: 'rotate_1' })).body.user_group.token).toBe(
      newToken,
    );
    // the old token can no longer rotate, update or delete
    const again = await ctx.app.http.post('/api/user').set(auth()).send({ current_token: oldToken });
    expect(again.status).toBe(404);
    expect(again.body).toEqual({ success: 0, error: expect.any(String) });
  });

  it('lets only one of two simultaneous rotations with the same token succeed', async () => {
    const created = await getOrCreate({ name: 'Race', user_group_id: 'race_1' });
    const token: string = created.body.user_group.token;
    const results = await Promise.all(
      [0, 1].map(() => ctx.app.http.post('/api/user').set(auth()).send({ current_token: token })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 404]);
    const winner: string = results.find((r) => r.status === 200)!.body.user_group.token;
    expect((await getOrCreate({ name: 'Race', user_group_id: 'race_1' })).body.user_group.token).toBe(winner);
    const live: { n: string | number }[] = await ctx.app.dataSource.query(
      `SELECT COUNT(*) AS n FROM identity_user_group_tokens
       WHERE revoked_at IS NULL
         AND user_group_id = (SELECT id FROM identity_user_groups WHERE provided_id = 'race_1')`,
    );
    expect(Number(live[0].n)).toBe(1);
  });

  it('deletes a group; its token is refused at once and cannot be used again', async () => {
    const created = await getOrCreate({ name: 'Delete me', user_group_id: 'delete_1' });
    const token: string = created.body.user_group.token;
    expect((await dashboard(ctx.app, token)).status).toBe(200);
    const deleted = await ctx.app.http.delete('/api/user').set(auth()).send({ current_token: token });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: 1 });
    expect((await dashboard(ctx.app, token)).status).toBe(401);
    expect((await ctx.app.http.delete('/api/user').set(auth()).send({ current_token: token })).status).toBe(
      404,
    );
    const recreated = await getOrCreate({ name: 'Delete me', user_group_id: 'delete_1' });
    expect(recreated.body.new_user_group).toBe(true);
  });

  it('updates name, properties and mapping with PATCH, and null clears properties', async () => {
    const created = await getOrCreate({ name: 'Patch me', user_group_id: 'patch_1', properties: { a: 1 } });
    const token: string = created.body.user_group.token;
    const patched = await ctx.app.http
      .patch('/api/user')
      .set(auth())
      .send({ current_token: token, name: 'Patched', mapping: { region: 'eu' } });
    expect(patched.status).toBe(200);
    expect(patched.body.user_group).toMatchObject({
      name: 'Patched',
      properties: { a: 1 },
      mapping: { region: 'eu' },
    });
    expect((await dashboard(ctx.app, token)).body.name).toBe('Patched');
    const cleared = await ctx.app.http
      .patch('/api/user')
      .set(auth())
      .send({ current_token: token, properties: null });
    expect(cleared.body.user_group.properties).toBeNull();
  });

  it('answers bad bodies with 400 in the Explo shape naming the field', async () => {
    const missing = await getOrCreate({ name: 'No id' });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ success: 0, error: expect.stringContaining('user_group_id') });
    const badTag = await getOrCreate({ name: 'x', user_group_id: 'x', api_environment_tag: 'Production' });
    expect(badTag.status).toBe(400);
    expect(badTag.body.error).toContain('api_environment_tag');
    const empty = await ctx.app.http.post('/api/user').set(auth()).send({ current_token: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toContain('current_token');
    const unknown = await getOrCreate({ name: 'x', user_group_id: 'x', team_id: 99 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('team_id');
    const huge = await getOrCreate({
      name: 'x',
      user_group_id: 'huge',
      properties: { blob: 'x'.repeat(20_000) },
    });
    expect(huge.status).toBe(400);
    expect(huge.body.error).toContain('properties');
  });

  it('answers a malformed JSON body with 400 in the Explo shape', async () => {
    const res = await ctx.app.http
      .post('/api/user')
      .set(auth())
      .set('Content-Type', 'application/json')
      .send('{"current_token": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: 0, error: expect.stringContaining('could not be read') });
  });

  it('answers an unknown token with 404 in the Explo shape', async () => {
    const res = await ctx.app.http.post('/api/user').set(auth()).send({ current_token: 'ugt_doesnotexist' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: 0, error: 'User group token not found.' });
  });

  it('lets a read-scoped key get an existing group but not create one (403)', async () => {
    const read = withKey(ctx.app, 'read');
    const refused = await ctx.app.http
      .get('/api/user')
      .set(read)
      .send({ name: 'New', user_group_id: 'read_new' });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ success: 0, error: expect.stringContaining('read-only') });
    const created = await getOrCreate({ name: 'Existing', user_group_id: 'read_existing' });
    const got = await ctx.app.http
      .get('/api/user')
      .set(read)
      .send({ name: 'Existing', user_group_id: 'read_existing' });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      new_user_group: false,
      user_group: { token: created.body.user_group.token },
    });
  });

  it('deletes with current_token in the query, for clients that send no DELETE body', async () => {
    const created = await getOrCreate({ name: 'Query delete', user_group_id: 'qdel_1' });
    const token: string = created.body.user_group.token;
    const res = await ctx.app.http.delete('/api/user').query({ current_token: token }).set(auth());
    expect(res.status).toBe(200);
    expect((await dashboard(ctx.app, token)).status).toBe(401);
  });

  it('refuses NUL characters with 400 on both databases, never 500', async () => {
    const res = await getOrCreate({ name: 'Nul', user_group_id: 'a\u0000b' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: 0, error: expect.stringContaining('user_group_id') });
    const key = await ctx.app.http.post('/identity/api-keys').set(auth()).send({ name: 'a\u0000b' });
    expect(key.status).toBe(400);
  });

  it('reads is_demo_group=true from the query as a boolean', async () => {
    const res = await ctx.app.http
      .get('/api/user')
      .query({ name: 'Demo', user_group_id: 'demo_1', is_demo_group: 'true' })
      .set(auth());
    expect(res.status).toBe(200);
    const rows: { is_demo_group: boolean | number }[] = await ctx.app.dataSource.query(
      "SELECT is_demo_group FROM identity_user_groups WHERE provided_id = 'demo_1'",
    );
    expect(Boolean(rows[0].is_demo_group)).toBe(true);
  });

  it('refuses rotation with a read-scoped key (403) and leaves the token working', async () => {
    const created = await getOrCreate({ name: 'Read only', user_group_id: 'ro_1' });
    const token: string = created.body.user_group.token;
    const res = await ctx.app.http
      .post('/api/user')
      .set(withKey(ctx.app, 'read'))
      .send({ current_token: token });
    expect(res.status).toBe(403);
    expect(res.body.success).toBe(0);
    expect((await dashboard(ctx.app, token)).status).toBe(200);
  });

  it("refuses another workspace's key on this workspace's token (404), and the token keeps working", async () => {
    const created = await getOrCreate({ name: 'Mine', user_group_id: 'mine_1' });
    const token: string = created.body.user_group.token;
    const other = await ctx.app.createWorkspace('Other');
    for (const method of ['post', 'patch', 'delete'] as const) {
      const res = await ctx.app.http[method]('/api/user')
        .set(withKey(other, 'write'))
        .send(method === 'patch' ? { current_token: token, name: 'stolen' } : { current_token: token });
      expect(res.status).toBe(404);
    }
    expect((await dashboard(ctx.app, token)).body.name).toBe('Mine');
    // the same provided_id in the other workspace is a different group
    const theirs = await ctx.app.http
      .get('/api/user')
      .set(withKey(other, 'write'))
      .send({ name: 'Theirs', user_group_id: 'mine_1' });
    expect(theirs.body.new_user_group).toBe(true);
  });

  it('guards host routes: missing token 401, wrong environment 403', async () => {
    expect((await ctx.app.http.get('/whoami/user-group')).status).toBe(401);
    const testing = await getOrCreate({ name: 'T', user_group_id: 'env_1', api_environment_tag: 'Testing' });
    const res = await ctx.app.http
      .get('/whoami/user-group/customer-only')
      .query({ token: testing.body.user_group.token });
    expect(res.status).toBe(403);
    const customer = await getOrCreate({ name: 'C', user_group_id: 'env_1' });
    const ok = await ctx.app.http
      .get('/whoami/user-group/customer-only')
      .query({ token: customer.body.user_group.token });
    expect(ok.status).toBe(200);
  });

  it('serves a cached token check without a database query', async () => {
    const created = await getOrCreate({ name: 'Cached', user_group_id: 'cached_1' });
    const token: string = created.body.user_group.token;
    const countQueries = (call: () => Promise<unknown>) => queriesDuring(ctx.app.dataSource, call);
    expect(await countQueries(() => dashboard(ctx.app, token))).toBeGreaterThan(0); // first check reads the database
    expect(await countQueries(() => dashboard(ctx.app, token))).toBe(0); // the second is a cache hit
  });

  it('keeps no plaintext embed token in any table', async () => {
    const created = await getOrCreate({ name: 'Secret', user_group_id: 'secret_1' });
    const token: string = created.body.user_group.token;
    for (const table of ['identity_user_groups', 'identity_user_group_tokens', 'identity_audit_log']) {
      const dump = JSON.stringify(await ctx.app.dataSource.query(`SELECT * FROM ${table}`));
      expect(dump).not.toContain(token.slice(12));
    }
  });
}

describeWithApp('user groups service under overlapping writes', (ctx) => {
  it('never deadlocks when rotations and deletes of the same groups overlap', async () => {
    // Through the service, so the pairs truly overlap inside the database (HTTP staggers them).
    const userGroups = ctx.app.app.get(UserGroupsService);
    const ws = ctx.app.workspace.id;
    const outcomes: PromiseSettledResult<unknown>[] = [];
    for (let i = 0; i < 60; i++) {
      const created = await userGroups.getOrCreate(ws, { providedId: `overlap_${i}`, name: `Overlap ${i}` });
      // one rotation first, so the group also has a retired token row for both writers to lock
      const token = (await userGroups.rotateToken(ws, created.userGroup.token)).token;
      outcomes.push(
        ...(await Promise.allSettled([userGroups.rotateToken(ws, token), userGroups.delete(ws, token)])),
      );
    }
    const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
    // A loser may find its token gone (404); a deadlock or any other database error is a bug.
    expect(
      failures.filter((e) => !(e instanceof IdentityError && e.getStatus() === 404)).map(String),
    ).toEqual([]);
  });
});

// The window's edges are proven on an injected clock in user-groups.rotation-grace.spec.ts; this checks
// the rules end to end (guard, real clock, PostgreSQL's timestamptz) with a short window: 2 s is
// plenty, since each in-window check runs right after its rotation.
describeWithApp(
  'rotation grace window',
  (ctx) => {
    it('keeps the old token working for 2 s after rotation, then refuses it; two rotations old is refused at once', async () => {
      const auth = withKey(ctx.app, 'write');
      const created = await ctx.app.http
        .get('/api/user')
        .set(auth)
        .send({ name: 'Grace', user_group_id: 'grace_1' });
      const first: string = created.body.user_group.token;
      const second: string = (await ctx.app.http.post('/api/user').set(auth).send({ current_token: first }))
        .body.user_group.token;
      expect((await dashboard(ctx.app, first)).status).toBe(200); // inside the grace window
      expect((await dashboard(ctx.app, second)).status).toBe(200);
      // a token in its grace window can authenticate embeds but not rotate again
      expect((await ctx.app.http.post('/api/user').set(auth).send({ current_token: first })).status).toBe(
        404,
      );

      const third: string = (await ctx.app.http.post('/api/user').set(auth).send({ current_token: second }))
        .body.user_group.token;
      expect((await dashboard(ctx.app, first)).status).toBe(401); // two rotations old
      expect((await dashboard(ctx.app, second)).status).toBe(200); // one rotation old, in grace
      expect((await dashboard(ctx.app, third)).status).toBe(200);

      await sleep(2100);
      expect((await dashboard(ctx.app, second)).status).toBe(401);
      expect((await dashboard(ctx.app, third)).status).toBe(200);
    });
  },
  { identity: { userGroups: { rotationGraceSeconds: 2 } } },
);
