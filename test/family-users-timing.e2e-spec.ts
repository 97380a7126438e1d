import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Argon2idPasswordHashing } from '../libs/identity/src/index.js';
import { createTestApp, type TestApp } from './utils/test-app.js';

const ROUNDS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0 ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle];
}

/**
 * An unknown username must not be told apart from a wrong password by how long `login` takes: the
 * unknown one checks the password against a dummy hash of the same cost. Proven by the work done (one
 * argon2id verification with the same parameters either way), and coarsely by the clock; the 10% figure
 * itself is measured by `npm run bench` (group 7), where no other spec files run beside it.
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

  /** One measurement: medians of ROUNDS interleaved attempts of each kind, and their relative difference. */
  async function measure(): Promise<{ unknown: number; wrong: number; difference: number }> {
    const unknown: number[] = [];
    const wrong: number[] = [];
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
    return { unknown: a, wrong: b, difference: Math.abs(a - b) / Math.max(a, b) };
  }

  it('verifies one argon2id hash of the same parameters for an unknown username as for a wrong password', async () => {
    const verify = jest.spyOn(Argon2idPasswordHashing.prototype, 'verify');
    try {
      const work = async (doc: Record<string, unknown>) => {
        verify.mockClear();
        await timed(doc);
        // `$argon2id$v=19$m=…,t=…,p=…$salt$hash`: the parameters are the cost.
        return verify.mock.calls.map(([encoded]) => encoded.split('$').slice(1, 4).join('$'));
      };
      const unknown = await work({ username: 'nobody-at-all@example.com', password: 'wrong-password' });
      const wrong = await work({ username: 'known@example.com', password: 'wrong-password' });
      expect(unknown).toHaveLength(1);
      expect(unknown).toEqual(wrong);
    } finally {
      verify.mockRestore();
    }
  });

  it(`takes about the same time (medians of ${ROUNDS} interleaved, within 50%) for both`, async () => {
    await timed({ username: 'warm-up@example.com', password: 'wrong-password' });
    await timed({ username: 'known@example.com', password: 'wrong-password' });
    // Other spec files run beside this one and add noise of a few ms to single requests (up to 12% seen).
    // A real difference (no dummy hash: about 100%) shows in every measurement; noise in some. So up to
    // three measurements, and one within 50% passes; bench group 7 reports the figure against 10%.
    const measurements = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const m = await measure();
      measurements.push(m);
      if (m.difference < 0.5) {
        break;
      }
    }
    console.log(
      `login medians (unknown / wrong, ms): ${measurements
        .map((m) => `${m.unknown.toFixed(1)} / ${m.wrong.toFixed(1)} (${(m.difference * 100).toFixed(1)}%)`)
        .join('; ')}`,
    );
    expect(Math.min(...measurements.map((m) => m.difference))).toBeLessThan(0.5);
  }, 300_000);
});
