import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp, type TestWorkspace } from './utils/test-app.js';

describe('custom attributes (Dixa /beta/custom-attributes and PATCH /endusers/{userId}/custom-attributes)', () => {
  let t: TestApp;
  let w: TestWorkspace;
  let userId: string;
  const auth = (key = w.writeKey) => ({ Authorization: key });
  const ids: Record<string, string> = {};

  async function define(body: Record<string, unknown>) {
    const res = await t.http.post('/beta/custom-attributes').set(auth()).send(body);
    expect(res.status).toBe(201);
    return res.body.data as { id: string } & Record<string, unknown>;
  }

  async function patchValues(values: Record<string, unknown>, id = userId) {
    return t.http.patch(`/beta/endusers/${id}/custom-attributes`).set(auth()).send(values);
  }

  beforeAll(async () => {
    t = await createTestApp();
    w = await t.createWorkspace('Attributes workspace');
    userId = (await t.http.post('/beta/endusers').set(auth()).send({ displayName: 'Carol' })).body.data.id;
    ids.plan = (
      await define({
        entityType: 'Contact',
        identifier: 'plan',
        label: 'Plan',
        description: 'Subscription plan',
        inputDefinition: { _type: 'Text', placeholder: 'e.g. Pro' },
        isRequired: true,
      })
    ).id;
    ids.region = (
      await define({
        entityType: 'Contact',
        identifier: 'region',
        label: 'Region',
        inputDefinition: {
          _type: 'Select',
          options: [
            {
              value: 'Europe',
              nestedOptions: [{ value: 'Denmark' }, { value: 'Sweden', isDeactivated: true }],
            },
            { value: 'Asia', label: 'Asia & Pacific' },
          ],
        },
      })
    ).id;
    ids.note = (
      await define({
        entityType: 'Contact',
        identifier: 'note',
        label: 'Note',
        inputDefinition: { _type: 'Text' },
      })
    ).id;
    ids.topic = (
      await define({
        entityType: 'Conversation',
        identifier: 'topic',
        label: 'Topic',
        inputDefinition: { _type: 'Text' },
      })
    ).id;
    ids.legacy = (
      await define({
        entityType: 'Contact',
        identifier: 'legacy',
        label: 'Legacy',
        inputDefinition: { _type: 'Text' },
      })
    ).id;
    ids.paused = (
      await define({
        entityType: 'Contact',
        identifier: 'paused',
        label: 'Paused',
        inputDefinition: { _type: 'Text' },
        isDeactivated: true,
      })
    ).id;
    expect((await t.http.delete(`/beta/custom-attributes/${ids.legacy}`).set(auth())).status).toBe(200);
  });

  afterAll(async () => {
    await t.close();
  });

  it('lists and reads definitions in the seed shape, Select options with ids and nested options', async () => {
    const list = await t.http.get('/beta/custom-attributes').set(auth(w.readKey));
    expect(list.status).toBe(200);
    expect(list.body.data.map((a: { identifier: string }) => a.identifier)).toEqual([
      'plan',
      'region',
      'note',
      'topic',
      'legacy',
      'paused',
    ]);
    const region = await t.http.get(`/beta/custom-attributes/${ids.region}`).set(auth(w.readKey));
    expect(region.body.data).toEqual({
      id: ids.region,
      entityType: 'Contact',
      identifier: 'region',
      label: 'Region',
      inputDefinition: {
        _type: 'Select',
        options: [
          {
            id: expect.any(String),
            value: 'Europe',
            label: 'Europe',
            isDeactivated: false,
            nestedOptions: [
              {
                id: expect.any(String),
                value: 'Denmark',
                label: 'Denmark',
                isDeactivated: false,
                nestedOptions: [],
              },
              {
                id: expect.any(String),
                value: 'Sweden',
                label: 'Sweden',
                isDeactivated: true,
                nestedOptions: [],
              },
            ],
          },
          {
            id: expect.any(String),
            value: 'Asia',
            label: 'Asia & Pacific',
            isDeactivated: false,
            nestedOptions: [],
          },
        ],
      },
      isRequired: false,
      isArchived: false,
      isDeactivated: false,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const legacy = list.body.data.find((a: { identifier: string }) => a.identifier === 'legacy');
    expect(legacy.isArchived).toBe(true);
    const contactOnly = await t.http.get('/beta/custom-attributes?entityType=Conversation').set(auth());
    expect(contactOnly.body.data.map((a: { identifier: string }) => a.identifier)).toEqual(['topic']);
  });

  it('refuses a repeated identifier (409) and malformed definitions (400)', async () => {
    const again = await t.http
      .post('/beta/custom-attributes')
      .set(auth())
      .send({
        entityType: 'Contact',
        identifier: 'plan',
        label: 'Plan 2',
        inputDefinition: { _type: 'Text' },
      });
    expect(again.status).toBe(409);
    for (const inputDefinition of [
      { _type: 'Number' },
      { _type: 'Select', options: [] },
      { _type: 'Select', options: [{ value: 'A' }, { value: 'A' }] },
      { _type: 'Select', options: [{ label: 'no value' }] },
    ]) {
      const res = await t.http
        .post('/beta/custom-attributes')
        .set(auth())
        .send({ entityType: 'Contact', identifier: 'bad', label: 'Bad', inputDefinition });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ message: expect.stringContaining('inputDefinition') });
    }
  });

  it('sets Text and Select values and answers the user’s values; GET /endusers/{id} carries them', async () => {
    const res = await patchValues({ [ids.plan]: 'Pro', [ids.region]: ['Europe', 'Denmark'] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        { id: ids.plan, name: 'Plan', identifier: 'plan', value: 'Pro' },
        { id: ids.region, name: 'Region', identifier: 'region', value: ['Europe', 'Denmark'] },
      ],
    });
    const user = await t.http.get(`/beta/endusers/${userId}`).set(auth());
    expect(user.body.data.customAttributes).toEqual(res.body.data);
    const listed = await t.http.get('/beta/endusers').set(auth());
    expect(listed.body.data[0]).not.toHaveProperty('customAttributes');
  });

  it('clears an optional value with null and keeps the others', async () => {
    await patchValues({ [ids.note]: 'call back' });
    const res = await patchValues({ [ids.note]: null });
    expect(res.status).toBe(200);
    expect(res.body.data.map((v: { identifier: string }) => v.identifier)).toEqual(['plan', 'region']);
  });

  it.each([
    ['an unknown id', () => ({ '0192d6a0-0000-7000-8000-00000000dead': 'x' }), 'is not a custom attribute'],
    ['a key that is no id', () => ({ plan: 'x' }), 'plan: is not a custom attribute'],
    [
      'a value outside the options',
      () => ({ [ids.region]: ['Africa'] }),
      "'Africa' is not one of its options",
    ],
    ['a nested value at the wrong level', () => ({ [ids.region]: ['Denmark'] }), 'is not one of its options'],
    [
      'a deactivated option',
      () => ({ [ids.region]: ['Europe', 'Sweden'] }),
      "option 'Sweden' is deactivated",
    ],
    ['a string for a Select', () => ({ [ids.region]: 'Europe' }), 'array of option values'],
    ['an array for a Text', () => ({ [ids.plan]: ['Pro'] }), 'takes a string'],
    ['an archived attribute', () => ({ [ids.legacy]: 'x' }), 'is archived'],
    ['a deactivated attribute', () => ({ [ids.paused]: 'x' }), 'is deactivated'],
    ['a Conversation attribute', () => ({ [ids.topic]: 'x' }), 'is a Conversation attribute'],
    ['clearing a required attribute', () => ({ [ids.plan]: null }), 'is required'],
  ])('refuses %s with a 400 naming the attribute, and changes nothing', async (_case, values, message) => {
    const body = values();
    const res = await patchValues({ ...body, [ids.note]: 'should not be stored' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(Object.keys(body)[0]);
    expect(res.body.message).toContain(message);
    const user = await t.http.get(`/beta/endusers/${userId}`).set(auth());
    expect(user.body.data.customAttributes.map((v: { identifier: string }) => v.identifier)).toEqual([
      'plan',
      'region',
    ]);
  });

  it('refuses a body that is not a map', async () => {
    const res = await t.http.patch(`/beta/endusers/${userId}/custom-attributes`).set(auth()).send(['x']);
    expect(res.status).toBe(400);
  });

  it('updates a definition (label, options) but not its input type', async () => {
    const renamed = await t.http
      .patch(`/beta/custom-attributes/${ids.note}`)
      .set(auth())
      .send({ label: 'Notes' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.label).toBe('Notes');
    const retyped = await t.http
      .patch(`/beta/custom-attributes/${ids.note}`)
      .set(auth())
      .send({ inputDefinition: { _type: 'Select', options: [{ value: 'A' }] } });
    expect(retyped.status).toBe(400);
  });

  it("answers 404 for another workspace's attribute, and refuses its ids in a patch", async () => {
    const other = await t.createWorkspace('Other attributes');
    const get = await t.http.get(`/beta/custom-attributes/${ids.plan}`).set(auth(other.writeKey));
    expect(get.status).toBe(404);
    expect(get.body).toEqual({ message: 'Custom attribute not found.' });
    const otherUser = (
      await t.http.post('/beta/endusers').set(auth(other.writeKey)).send({ displayName: 'Dan' })
    ).body.data.id;
    const res = await t.http
      .patch(`/beta/endusers/${otherUser}/custom-attributes`)
      .set(auth(other.writeKey))
      .send({ [ids.plan]: 'Pro' });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('is not a custom attribute of this workspace');
    const crossUser = await t.http
      .patch(`/beta/endusers/${otherUser}/custom-attributes`)
      .set(auth())
      .send({ [ids.plan]: ['not', 'valid'] });
    expect(crossUser.status).toBe(404);
  });
});
