import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from './utils/test-app.js';

describe('@RequireScope() on a host route', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it("answers 403 to a read key on a GET marked @RequireScope('write'), and 200 to a write key", async () => {
    const refused = await t.http.get('/whoami/write-scope').set('Authorization', t.workspace.readKey);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ message: expect.stringContaining('read-only') });
    const allowed = await t.http.get('/whoami/write-scope').set('Authorization', t.workspace.writeKey);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ workspaceId: t.workspace.id, scope: 'write' });
    // the unmarked GET beside it still takes a read key
    expect((await t.http.get('/whoami').set('Authorization', t.workspace.readKey)).status).toBe(200);
  });
});

describe('@SkipRateLimit() on a host route', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ identity: { rateLimit: { perSecond: 2 } } });
  });

  afterAll(async () => {
    await t.close();
  });

  it('never limits the marked route, while its unmarked sibling answers 429 with Retry-After', async () => {
    // Ten requests of a few ms each span at most two one-second windows, so a limit of 2 would bite.
    const key = t.workspace.writeKey;
    const unlimited: number[] = [];
    for (let i = 0; i < 10; i++) {
      unlimited.push((await t.http.get('/whoami/unlimited').set('Authorization', key)).status);
    }
    expect(unlimited).toEqual(Array(10).fill(200));

    const limited = [];
    for (let i = 0; i < 10; i++) {
      limited.push(await t.http.get('/whoami').set('Authorization', key));
    }
    const refused = limited.filter((res) => res.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.every((res) => res.status === 200 || res.status === 429)).toBe(true);
  });
});
