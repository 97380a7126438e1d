import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp, type TestWorkspace } from './utils/test-app.js';

type Outcome =
  | { _type: 'BulkActionSuccess'; data: Record<string, unknown> & { id: string } }
  | { _type: 'BulkActionFailure'; error: { _type: string; id?: string; message: string } };

function user(n: number): Record<string, unknown> {
  return {
    displayName: `Bulk ${n}`,
    email: `bulk${n}@example.com`,
    phoneNumber: `+4520${String(n).padStart(6, '0')}`,
    additionalEmails: [],
    additionalPhoneNumbers: [],
    firstName: 'Bulk',
    lastName: `${n}`,
    middleNames: [],
    avatarUrl: 'https://example.com/avatar.png',
    externalId: `bulk-${n}`,
  };
}

describe('bulk end users (POST /endusers/bulk, PUT /endusers, PATCH /endusers)', () => {
  let t: TestApp;
  let w: TestWorkspace;
  const auth = () => ({ Authorization: `Bearer ${w.writeKey}` });

  async function countUsers(): Promise<number> {
    const [row] = await t.dataSource.query(
      t.database.config.type === 'postgres'
        ? 'SELECT COUNT(*) AS n FROM identity_end_users WHERE workspace_id = $1'
        : 'SELECT COUNT(*) AS n FROM identity_end_users WHERE workspace_id = ?',
      [w.id],
    );
    return Number(row.n);
  }

  beforeAll(async () => {
    t = await createTestApp();
    w = await t.createWorkspace('Bulk workspace');
  });

  afterAll(async () => {
    await t.close();
  });

  it('creates 997 of 1,000 items and fails the 3 bad ones with the right _type at the right places', async () => {
    const existing = await t.http
      .post('/beta/endusers')
      .set(auth())
      .send({ ...user(999_999), externalId: 'taken' });
    expect(existing.status).toBe(201);
    const data = Array.from({ length: 1000 }, (_, i) => user(i));
    data[10] = { ...data[10], email: 'not an email' };
    data[500] = { ...data[500], externalId: 'bulk-499' }; // repeats item 499 of the same call
    data[998] = { ...data[998], externalId: 'taken' }; // held by a user already stored
    const res = await t.http.post('/beta/endusers/bulk').set(auth()).send({ data });
    expect(res.status).toBe(200);
    const outcomes: Outcome[] = res.body.data;
    expect(outcomes).toHaveLength(1000);
    const failures = outcomes
      .map((o, i) => [i, o] as const)
      .filter(([, o]) => o._type === 'BulkActionFailure')
      .map(([i, o]) => [i, o._type === 'BulkActionFailure' ? o.error._type : '']);
    expect(failures).toEqual([
      [10, 'Validation'],
      [500, 'Integrity'],
      [998, 'Integrity'],
    ]);
    expect(outcomes[10]).toEqual({
      _type: 'BulkActionFailure',
      error: { _type: 'Validation', message: expect.stringContaining('email') },
    });
    // Successes carry their user, in input order.
    outcomes.forEach((o, i) => {
      if (o._type === 'BulkActionSuccess') {
        expect(o.data).toMatchObject({ displayName: `Bulk ${i}`, externalId: `bulk-${i}` });
        expect(o.data).not.toHaveProperty('customAttributes');
      }
    });
    expect(await countUsers()).toBe(1 + 997);
    const stored: { external_id: string }[] = await t.dataSource.query(
      t.database.config.type === 'postgres'
        ? 'SELECT external_id FROM identity_end_users WHERE workspace_id = $1'
        : 'SELECT external_id FROM identity_end_users WHERE workspace_id = ?',
      [w.id],
    );
    const externalIds = new Set(stored.map((r) => r.external_id));
    expect(externalIds.has('bulk-10')).toBe(false);
    expect(externalIds.has('bulk-998')).toBe(false);
    expect(externalIds.has('bulk-499')).toBe(true);
    // The 997 have an audit entry each; the 3 failures none.
    const [audited] = await t.dataSource.query(
      t.database.config.type === 'postgres'
        ? "SELECT COUNT(*) AS n FROM identity_audit_log WHERE workspace_id = $1 AND action = 'end-user.create'"
        : "SELECT COUNT(*) AS n FROM identity_audit_log WHERE workspace_id = ? AND action = 'end-user.create'",
      [w.id],
    );
    expect(Number(audited.n)).toBe(998);
  });

  it('refuses 1,001 items with a 400 and writes nothing', async () => {
    const before = await countUsers();
    const data = Array.from({ length: 1001 }, (_, i) => user(5000 + i));
    const res = await t.http.post('/beta/endusers/bulk').set(auth()).send({ data });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.stringContaining('1000') });
    expect(await countUsers()).toBe(before);
    for (const method of ['put', 'patch'] as const) {
      const update = await t.http[method]('/beta/endusers').set(auth()).send({ data });
      expect(update.status).toBe(400);
    }
  });

  it('refuses a body whose data is not an array', async () => {
    const res = await t.http
      .post('/beta/endusers/bulk')
      .set(auth())
      .send({ data: user(1) });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.stringContaining('data') });
  });

  it('fails items that are not objects, alone', async () => {
    const res = await t.http
      .post('/beta/endusers/bulk')
      .set(auth())
      .send({ data: ['nope', user(7001), null] });
    expect(res.body.data.map((o: Outcome) => o._type)).toEqual([
      'BulkActionFailure',
      'BulkActionSuccess',
      'BulkActionFailure',
    ]);
  });

  describe('PUT and PATCH', () => {
    let ids: string[];

    beforeAll(async () => {
      const res = await t.http
        .post('/beta/endusers/bulk')
        .set(auth())
        .send({ data: [user(9001), user(9002), user(9003), user(9004)] });
      ids = res.body.data.map((o: Outcome) => (o._type === 'BulkActionSuccess' ? o.data.id : ''));
    });

    it('replaces each named user, and answers NotFound, Validation and Integrity items on their own', async () => {
      const unknown = '0192d6a0-0000-7000-8000-00000000beef';
      const res = await t.http
        .put('/beta/endusers')
        .set(auth())
        .send({
          data: [
            { id: ids[0], displayName: 'Replaced', externalId: 'bulk-9001' },
            { id: unknown, displayName: 'Ghost' },
            { displayName: 'No id' },
            { id: ids[1], email: 'broken' },
            { id: ids[2], externalId: 'bulk-9004' }, // held by ids[3]
            { id: ids[0], displayName: 'Again' },
          ],
        });
      expect(res.status).toBe(200);
      expect(res.body.data).toEqual([
        {
          _type: 'BulkActionSuccess',
          data: {
            id: ids[0],
            createdAt: expect.any(String),
            displayName: 'Replaced',
            externalId: 'bulk-9001',
            additionalEmails: [],
            additionalPhoneNumbers: [],
            middleNames: [],
          },
        },
        {
          _type: 'BulkActionFailure',
          error: { _type: 'NotFound', id: unknown, message: 'End user not found.' },
        },
        {
          _type: 'BulkActionFailure',
          error: { _type: 'Validation', message: expect.stringContaining('id') },
        },
        {
          _type: 'BulkActionFailure',
          error: { _type: 'Validation', id: ids[1], message: expect.stringContaining('email') },
        },
        {
          _type: 'BulkActionFailure',
          error: { _type: 'Integrity', id: ids[2], message: expect.stringContaining('externalId') },
        },
        {
          _type: 'BulkActionFailure',
          error: { _type: 'Integrity', id: ids[0], message: expect.any(String) },
        },
      ]);
      // The failed items' users are untouched.
      const second = await t.http.get(`/beta/endusers/${ids[1]}`).set(auth());
      expect(second.body.data).toMatchObject({ email: 'bulk9002@example.com', displayName: 'Bulk 9002' });
      const third = await t.http.get(`/beta/endusers/${ids[2]}`).set(auth());
      expect(third.body.data.externalId).toBe('bulk-9003');
      expect((await t.http.get(`/beta/endusers/${unknown}`).set(auth())).status).toBe(404);
    });

    it('patches only the given fields, and answers EmptyPatchSet for an item without any', async () => {
      const res = await t.http
        .patch('/beta/endusers')
        .set(auth())
        .send({
          data: [
            { id: ids[1], firstName: 'Patched', phoneNumber: '+45 20 99 99 99' },
            { id: ids[2] },
            { id: ids[3], lastName: null },
          ],
        });
      expect(res.status).toBe(200);
      expect(res.body.data[0]).toMatchObject({
        _type: 'BulkActionSuccess',
        data: { id: ids[1], firstName: 'Patched', phoneNumber: '+4520999999', email: 'bulk9002@example.com' },
      });
      expect(res.body.data[1]).toEqual({
        _type: 'BulkActionFailure',
        error: { _type: 'EmptyPatchSet', id: ids[2], message: expect.any(String) },
      });
      expect(res.body.data[2]._type).toBe('BulkActionSuccess');
      expect(res.body.data[2].data).not.toHaveProperty('lastName');
      expect(res.body.data[2].data.displayName).toBe('Bulk 9004');
    });

    it('updates 1,000 users in one call', async () => {
      const created = await t.http
        .post('/beta/endusers/bulk')
        .set(auth())
        .send({ data: Array.from({ length: 1000 }, (_, i) => user(20_000 + i)) });
      const all = created.body.data.map((o: Outcome) => (o._type === 'BulkActionSuccess' ? o.data.id : ''));
      const res = await t.http
        .patch('/beta/endusers')
        .set(auth())
        .send({ data: all.map((id: string, i: number) => ({ id, displayName: `Renamed ${i}` })) });
      expect(res.body.data.every((o: Outcome) => o._type === 'BulkActionSuccess')).toBe(true);
      const sample = await t.http.get(`/beta/endusers/${all[777]}`).set(auth());
      expect(sample.body.data).toMatchObject({ displayName: 'Renamed 777', externalId: 'bulk-20777' });
    });
  });

  it('gives an external id to exactly one of two concurrent calls', async () => {
    const calls = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        t.http
          .post('/beta/endusers/bulk')
          .set(auth())
          .send({ data: [{ ...user(30_000 + i), externalId: 'race' }] }),
      ),
    );
    const types = calls.map((c) => c.body.data[0]._type).sort();
    expect(types).toEqual([
      'BulkActionFailure',
      'BulkActionFailure',
      'BulkActionFailure',
      'BulkActionSuccess',
    ]);
    for (const call of calls) {
      if (call.body.data[0]._type === 'BulkActionFailure') {
        expect(call.body.data[0].error._type).toBe('Integrity');
      }
    }
  });
});
