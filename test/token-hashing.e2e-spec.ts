import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createTestDatabase } from './utils/database.js';
import { describeWithApp } from './utils/describe-with-app.js';
import { tokenAuth, userGroupBody, withKey } from './utils/fixtures.js';
import { createTestApp, TEST_TOKEN_SECRET, type TestApp } from './utils/test-app.js';

const OTHER_SECRET = 'another-secret-fedcba9876543210fedcba9876543210';

const hmac = (secret: string, value: string) =>
  createHmac('sha256', secret).update(value, 'utf8').digest('hex');
const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');

async function hashesIn(t: TestApp, table: string): Promise<string[]> {
  const rows: { hash: string }[] = await t.dataSource.query(`SELECT hash FROM ${table}`);
  return rows.map((row) => row.hash);
}

async function embedToken(t: TestApp): Promise<string> {
  const res = await t.http.get('/api/user').set(withKey(t, 'write')).send(userGroupBody());
  expect(res.status).toBe(200);
  return res.body.user_group.token as string;
}

describeWithApp('stored credential hashes are keyed by tokenSecret', (ctx) => {
  it('stores HMAC-SHA-256(tokenSecret, key) as the API key hash, and not its plain SHA-256', async () => {
    const stored = await hashesIn(ctx.app, 'identity_api_keys');
    for (const key of [ctx.app.workspace.writeKey, ctx.app.workspace.readKey]) {
      expect(stored).toContain(hmac(TEST_TOKEN_SECRET, key));
      expect(stored).not.toContain(sha256(key));
    }
  });

  it('stores HMAC-SHA-256(tokenSecret, token) as the embed token hash, and not its plain SHA-256', async () => {
    const token = await embedToken(ctx.app);
    const stored = await hashesIn(ctx.app, 'identity_user_group_tokens');
    expect(stored).toContain(hmac(TEST_TOKEN_SECRET, token));
    expect(stored).not.toContain(sha256(token));
  });
});

describe('an instance with another tokenSecret on the same database', () => {
  it('does not accept the keys and embed tokens made under the first secret', async () => {
    const database = await createTestDatabase();
    const a = await createTestApp({ database });
    const b = await createTestApp({
      database,
      identity: { tokenSecret: OTHER_SECRET },
      seedWorkspace: false,
    });
    try {
      const key = withKey(a, 'write');
      const token = await embedToken(a);
      expect((await a.http.get('/whoami').set(key)).status).toBe(200);
      expect((await a.http.get('/whoami/user-group').set(tokenAuth(token))).status).toBe(200);

      expect((await b.http.get('/whoami').set(key)).status).toBe(401);
      expect((await b.http.get('/whoami/user-group').set(tokenAuth(token))).status).toBe(401);
    } finally {
      await b.close();
      await a.close();
      await database.drop();
    }
  });
});
