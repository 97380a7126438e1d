import { expect, it } from '@jest/globals';
import { describeWithApp } from './utils/describe-with-app.js';
import { withKey } from './utils/fixtures.js';

describeWithApp('@RequireScope() on a host route', (ctx) => {
  it("answers 403 to a read key on a GET marked @RequireScope('write'), and 200 to a write key", async () => {
    const t = ctx.app;
    const refused = await t.http.get('/whoami/write-scope').set(withKey(t, 'read'));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ message: expect.stringContaining('read-only') });
    const allowed = await t.http.get('/whoami/write-scope').set(withKey(t, 'write'));
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ workspaceId: t.workspace.id, scope: 'write' });
    // the unmarked GET beside it still takes a read key
    expect((await t.http.get('/whoami').set(withKey(t, 'read'))).status).toBe(200);
  });
});

describeWithApp(
  '@SkipRateLimit() on a host route',
  (ctx) => {
    it('never limits the marked route, while its unmarked sibling answers 429 with Retry-After', async () => {
      // Ten requests of a few ms each span at most two one-second windows, so a limit of 2 would bite.
      const t = ctx.app;
      const key = withKey(t, 'write');
      const unlimited: number[] = [];
      for (let i = 0; i < 10; i++) {
        unlimited.push((await t.http.get('/whoami/unlimited').set(key)).status);
      }
      expect(unlimited).toEqual(Array(10).fill(200));

      const limited = [];
      for (let i = 0; i < 10; i++) {
        limited.push(await t.http.get('/whoami').set(key));
      }
      const refused = limited.filter((res) => res.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(Number(refused[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(limited.every((res) => res.status === 200 || res.status === 429)).toBe(true);
    });
  },
  { identity: { rateLimit: { perSecond: 2 } } },
);
