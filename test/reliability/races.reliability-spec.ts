import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../utils/test-app.js';
import { type Answer, call, inParallel, Invariants, listen, scalar, tally } from './support-b/harness.js';

// Issue 15, races: 50 requests at once on one thing, on SQLite and on PostgreSQL. Each race checks its
// invariants (one row, N allowed, one winner, no 5xx); the failures are counted into one figure.
const N = 50;
/** The tier's monthly assistant messages in the quota race: fewer than N, so the limit decides. */
const QUOTA = 7;

const invariants = new Invariants();

describe(`races: ${N} parallel requests on one thing`, () => {
  let t: TestApp;
  let url: string;
  let auth: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp();
    url = await listen(t);
    auth = { authorization: t.workspace.writeKey };
  });

  afterAll(async () => {
    invariants.record('race invariant failures', `5 races × ${N} parallel requests`);
    await t?.close();
  });

  /** Checks the invariants of one race and fails the test with their descriptions if any does not hold. */
  function expectHeld(race: string, checks: [string, boolean, unknown][]): void {
    const before = invariants.failed.length;
    for (const [what, holds, detail] of checks) {
      invariants.check(`${race}: ${what}`, holds, detail);
    }
    expect(invariants.failed.slice(before)).toEqual([]);
  }

  const no5xx = (answers: Answer[]): [string, boolean, unknown] => [
    'no 5xx and no hang',
    answers.every((a) => a.status >= 200 && a.status < 500),
    tally(answers),
  ];

  it('get-or-create of one new user_group_id makes one group, and every caller gets its token', async () => {
    const query = `name=Race&user_group_id=race-group`;
    const answers = await inParallel(N, () => call(url, 'GET', `/api/user?${query}`, { headers: auth }));
    const bodies = answers.map((a) => a.body as { new_user_group?: boolean; user_group?: { token: string } });
    const groups = await scalar(
      t,
      'SELECT COUNT(*) FROM identity_user_groups WHERE workspace_id = ? AND provided_id = ?',
      [t.workspace.id, 'race-group'],
    );
    const tokens = await scalar(
      t,
      `SELECT COUNT(*) FROM identity_user_group_tokens k JOIN identity_user_groups g ON g.id = k.user_group_id
       WHERE g.provided_id = ? AND k.revoked_at IS NULL AND k.expires_at IS NULL`,
      ['race-group'],
    );
    expectHeld('get-or-create', [
      no5xx(answers),
      ['every call answered 200', tally(answers)[200] === N, tally(answers)],
      ['exactly one group row', groups === 1, groups],
      ['exactly one current token', tokens === 1, tokens],
      [
        'exactly one answer says it created the group',
        bodies.filter((b) => b.new_user_group).length === 1,
        '',
      ],
      ['every answer carries the same token', new Set(bodies.map((b) => b.user_group?.token)).size === 1, ''],
    ]);
  });

  it('authenticate of one new externalId makes one external user, and every caller gets it', async () => {
    const channel = await call(url, 'POST', '/api/v1/channels', { headers: auth, body: { name: 'Race' } });
    const channelId = (channel.body as { id: string }).id;
    const answers = await inParallel(N, () =>
      call(url, 'POST', '/api/v1/external-users/authenticate', {
        headers: auth,
        body: { channelId, externalId: 'race-external', id: null, identifier: null },
      }),
    );
    const users = await scalar(
      t,
      'SELECT COUNT(*) FROM identity_external_users WHERE workspace_id = ? AND external_id = ?',
      [t.workspace.id, 'race-external'],
    );
    const ids = new Set(answers.map((a) => (a.body as { id?: string }).id));
    expectHeld('authenticate', [
      no5xx(answers),
      ['every call answered 200', tally(answers)[200] === N, tally(answers)],
      ['exactly one external user row', users === 1, users],
      ['every answer names the same user', ids.size === 1 && !ids.has(undefined), [...ids]],
    ]);
  });

  it('bulk creates of one end-user externalId store one end user; the others are Integrity failures', async () => {
    const answers = await inParallel(N, (i) =>
      call(url, 'POST', '/beta/endusers/bulk', {
        headers: auth,
        body: { data: [{ displayName: `Racer ${i}`, externalId: 'race-end-user' }] },
      }),
    );
    const outcomes = answers.map(
      (a) => (a.body as { data?: { _type: string; error?: { _type: string } }[] }).data?.[0],
    );
    const rows = await scalar(
      t,
      'SELECT COUNT(*) FROM identity_end_users WHERE workspace_id = ? AND external_id = ?',
      [t.workspace.id, 'race-end-user'],
    );
    const won = outcomes.filter((o) => o?._type === 'BulkActionSuccess').length;
    const integrity = outcomes.filter((o) => o?.error?._type === 'Integrity').length;
    expectHeld('bulk upsert', [
      no5xx(answers),
      ['every call answered 200', tally(answers)[200] === N, tally(answers)],
      ['exactly one end user row', rows === 1, rows],
      ['exactly one item written', won === 1, won],
      ['every other item an Integrity failure', integrity === N - 1, integrity],
    ]);
  });

  it(`quota consumption: ${N} messages at once on a tier of ${QUOTA} allow exactly ${QUOTA}`, async () => {
    const tier = await call(url, 'POST', '/api/v1/tiers', {
      headers: auth,
      body: { name: 'Race tier', description: 'races', maxAssistantMessages: QUOTA },
    });
    const channel = await call(url, 'POST', '/api/v1/channels', { headers: auth, body: { name: 'Quota' } });
    const user = await call(url, 'POST', '/api/v1/external-users', {
      headers: auth,
      body: {
        channelId: (channel.body as { id: string }).id,
        externalId: 'race-quota',
        tierId: (tier.body as { id: string }).id,
      },
    });
    const { id, accessToken } = user.body as { id: string; accessToken: string };
    const answers = await inParallel(N, () =>
      call(url, 'POST', '/assistant/messages', { headers: { authorization: `Bearer ${accessToken}` } }),
    );
    const used = await scalar(
      t,
      'SELECT used FROM identity_external_user_quota_usage WHERE external_user_id = ?',
      [id],
    );
    expectHeld('quota', [
      no5xx(answers),
      [`exactly ${QUOTA} allowed`, tally(answers)[200] === QUOTA, tally(answers)],
      [`the other ${N - QUOTA} refused with 429`, tally(answers)[429] === N - QUOTA, tally(answers)],
      [`the stored count is ${QUOTA}`, used === QUOTA, used],
    ]);
  });

  it('rotating one embed token 50 times at once has one winner, whose token is the only current one', async () => {
    const created = await call(url, 'GET', '/api/user?name=Rotate&user_group_id=race-rotate', {
      headers: auth,
    });
    const token = (created.body as { user_group: { token: string } }).user_group.token;
    const answers = await inParallel(N, () =>
      call(url, 'POST', '/api/user', { headers: auth, body: { current_token: token } }),
    );
    const winners = answers.filter((a) => a.status === 200);
    const current = await scalar(
      t,
      `SELECT COUNT(*) FROM identity_user_group_tokens k JOIN identity_user_groups g ON g.id = k.user_group_id
       WHERE g.provided_id = ? AND k.revoked_at IS NULL AND k.expires_at IS NULL`,
      ['race-rotate'],
    );
    const winnerToken = (winners[0]?.body as { user_group?: { token: string } } | undefined)?.user_group
      ?.token;
    const winnerWorks = winnerToken
      ? (await call(url, 'GET', '/whoami/user-group', { headers: { authorization: `Token ${winnerToken}` } }))
          .status === 200
      : false;
    const again = await call(url, 'POST', '/api/user', { headers: auth, body: { current_token: token } });
    expectHeld('rotation', [
      no5xx(answers),
      ['exactly one rotation succeeded', winners.length === 1, tally(answers)],
      ['every other one answered 404 (not the current token)', tally(answers)[404] === N - 1, tally(answers)],
      ['exactly one current token', current === 1, current],
      ['the winner’s token works', winnerWorks, ''],
      ['the old token cannot rotate again', again.status === 404, again.status],
    ]);
  });
});
