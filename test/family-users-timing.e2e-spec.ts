import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from './utils/test-app.js';

const ROUNDS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle];
}

/**
 * An unknown username must not be told apart from a wrong password by how long `login` takes: the
 * unknown one checks the password against a dummy hash of the same cost. The two kinds of attempt are
 * interleaved, so load on the machine falls on both alike.
 */
describe('family login timing', () => {
  let t: TestApp;
  let groupId: number;

  beforeAll(async () => {
    // No failure limit here: 40 failures on one username is the point of the measurement.
    t = await createTestApp({ identity: { familyUsers: { loginFailures: false } } });
    const project = await t.http
      .post('/reg/api2/projects/')
      .set('Authorization', `Token ${t.workspace.writeKey}`)
      .send({ action: 'create', doc: { name: 'Timing' } });
    groupId = Number(project.body.group_id);
    const created = await login('create', {
      username: 'known@example.com',
      password: 'the-right-password',
      main_email: 'k@example.com',
    });
    expect(created.status).toBe(200);
  });

  afterAll(async () => {
    await t.close();
  });

  function login(action: string, doc: Record<string, unknown>) {
    return t.http
      .post('/reg/api2/users/')
      .set('Authorization', `Token ${t.workspace.writeKey}`)
      .send({ action, group_id: groupId, doc });
  }

  async function timed(doc: Record<string, unknown>): Promise<number> {
    const start = process.hrtime.bigint();
    const res = await login('login', doc);
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    expect(res.status).toBe(401);
    return elapsed;
  }

  it(`takes the same time (medians of ${ROUNDS} within 10%) for an unknown username and a wrong password`, async () => {
    const unknown: number[] = [];
    const wrong: number[] = [];
    await timed({ username: 'warm-up@example.com', password: 'wrong-password' });
    await timed({ username: 'known@example.com', password: 'wrong-password' });
    for (let i = 0; i < ROUNDS; i++) {
      // Alternate which goes first, so neither always follows the other.
      const pair = [
        async () =>
          unknown.push(await timed({ username: `nobody-${i}@example.com`, password: 'wrong-password' })),
        async () => wrong.push(await timed({ username: 'known@example.com', password: 'wrong-password' })),
      ];
      for (const attempt of i % 2 === 0 ? pair : pair.reverse()) {
        await attempt();
      }
    }
    const [a, b] = [median(unknown), median(wrong)];
    expect(Math.abs(a - b) / Math.max(a, b)).toBeLessThan(0.1);
  }, 180_000);
});
