import { expect, it } from '@jest/globals';
import { describeWithApp } from './utils/describe-with-app.js';
import { tokenAuth, withKey } from './utils/fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithApp('API key lastUsedAt', (ctx) => {
  /** The key as its owners see it, read with the workspace's write key. */
  async function shown(id: string): Promise<{ lastUsedAt: string | null }> {
    const res = await ctx.app.http.get(`/identity/api-keys/${id}`).set(withKey(ctx.app, 'write'));
    expect(res.status).toBe(200);
    return res.body.data;
  }

  it('is set after the key authenticates a request', async () => {
    const created = await ctx.app.http
      .post('/identity/api-keys')
      .set(withKey(ctx.app, 'write'))
      .send({ name: 'used once', scope: 'read' });
    const { id, secret } = created.body.data as { id: string; secret: string };
    expect((await shown(id)).lastUsedAt).toBeNull();

    const before = Date.now();
    expect((await ctx.app.http.get('/whoami').set(tokenAuth(secret))).status).toBe(200);

    // Written asynchronously (at most once a minute per key and instance, on a cache miss): poll, bounded.
    let lastUsedAt: string | null = null;
    for (const until = Date.now() + 5000; lastUsedAt === null && Date.now() < until;) {
      lastUsedAt = (await shown(id)).lastUsedAt;
      if (lastUsedAt === null) {
        await sleep(50);
      }
    }
    expect(lastUsedAt).not.toBeNull();
    const at = Date.parse(lastUsedAt!);
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now() + 1000);
  });
});
