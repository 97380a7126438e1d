import { beforeAll, expect, it } from '@jest/globals';
import { describeWithApp } from './utils/describe-with-app.js';
import { userGroupBody, withKey } from './utils/fixtures.js';
import type { TestWorkspace } from './utils/test-app.js';

interface Entry {
  workspaceId: string;
  action: string;
  targetId: string | null;
}

describeWithApp('GET /identity/audit-log across workspaces', (ctx) => {
  let a: TestWorkspace;
  let b: TestWorkspace;

  beforeAll(async () => {
    a = ctx.app.workspace;
    b = await ctx.app.createWorkspace('Workspace B');
  });

  async function createKey(workspace: TestWorkspace, name: string): Promise<string> {
    const res = await ctx.app.http.post('/identity/api-keys').set(withKey(workspace, 'write')).send({ name });
    expect(res.status).toBe(201);
    return res.body.data.id as string;
  }

  async function auditLog(workspace: TestWorkspace): Promise<Entry[]> {
    const res = await ctx.app.http
      .get('/identity/audit-log')
      .query({ limit: 1000 })
      .set(withKey(workspace, 'read'));
    expect(res.status).toBe(200);
    return res.body.data as Entry[];
  }

  it("shows each workspace its own entries and never another workspace's", async () => {
    const aKey = await createKey(a, 'made by A');
    const aGroup = await ctx.app.http.get('/api/user').set(withKey(a, 'write')).send(userGroupBody());
    expect(aGroup.status).toBe(200);
    const bKey = await createKey(b, 'made by B'); // B's newest entry: a leak would sit beside it

    const seenByB = await auditLog(b);
    expect(seenByB.map((e) => e.targetId)).toContain(bKey);
    expect(seenByB.every((e) => e.workspaceId === b.id)).toBe(true);
    expect(seenByB.map((e) => e.targetId)).not.toContain(aKey);
    expect(seenByB.map((e) => e.action)).not.toContain('user-group.create');

    const seenByA = await auditLog(a);
    expect(seenByA.map((e) => e.targetId)).toEqual(expect.arrayContaining([aKey]));
    expect(seenByA.every((e) => e.workspaceId === a.id)).toBe(true);
    expect(seenByA.map((e) => e.targetId)).not.toContain(bKey);
  });
});
