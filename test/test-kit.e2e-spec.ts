import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { describeWithApp } from './utils/describe-with-app.js';
import { bearer, tokenAuth, userGroupBody, withKey } from './utils/fixtures.js';

describeWithApp('the e2e test kit', (ctx) => {
  let early: unknown;
  try {
    void ctx.app;
  } catch (err) {
    early = err;
  }
  let seenByOwnBeforeAll = false;

  beforeAll(() => {
    seenByOwnBeforeAll = ctx.app.dataSource.isInitialized;
  });

  afterAll(() => {
    // The helper closes the app after the body's own afterAll hooks, so they can still use it.
    expect(ctx.app.dataSource.isInitialized).toBe(true);
  });

  it('has no app while the block is being collected, and has it in the body’s own beforeAll', () => {
    expect(early).toBeInstanceOf(Error);
    expect(String(early)).toContain('beforeAll');
    expect(seenByOwnBeforeAll).toBe(true);
  });

  it('gives valid get-or-create bodies, each for a new group, with overrides applied', async () => {
    const t = ctx.app;
    const first = await t.http.get('/api/user').set(withKey(t, 'write')).send(userGroupBody());
    const second = await t.http
      .get('/api/user')
      .set(withKey(t, 'write'))
      .send(userGroupBody({ api_environment_tag: 'Testing', properties: { plan: 'pro' } }));
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect([first.body.new_user_group, second.body.new_user_group]).toEqual([true, true]);
    expect(first.body.user_group.provided_id).not.toBe(second.body.user_group.provided_id);
    expect(second.body.user_group).toMatchObject({
      api_environment_tag: 'Testing',
      properties: { plan: 'pro' },
    });
  });

  it('gives the Authorization header of each workspace key, of this workspace or another', async () => {
    const t = ctx.app;
    expect((await t.http.get('/whoami').set(withKey(t, 'read'))).body).toMatchObject({
      workspaceId: t.workspace.id,
      scope: 'read',
    });
    expect((await t.http.get('/whoami').set(withKey(t, 'write'))).body.scope).toBe('write');
    expect((await t.http.post('/whoami/ping').set(withKey(t, 'read'))).status).toBe(403);
    const other = await t.createWorkspace('Other');
    expect((await t.http.get('/whoami').set(withKey(other, 'write'))).body.workspaceId).toBe(other.id);
  });

  it('sends an embed token as Token or Bearer', async () => {
    const t = ctx.app;
    const created = await t.http.get('/api/user').set(withKey(t, 'write')).send(userGroupBody());
    const token: string = created.body.user_group.token;
    for (const header of [tokenAuth(token), bearer(token)]) {
      const res = await t.http.get('/whoami/user-group').set(header);
      expect(res.status).toBe(200);
      expect(res.body.providedId).toBe(created.body.user_group.provided_id);
    }
  });
});
