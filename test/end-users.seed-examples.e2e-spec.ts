import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CustomAttributeEntity } from '../libs/identity/src/index.js';
import { runCurl } from './utils/curl.js';
import { createTestApp, type TestApp } from './utils/test-app.js';

/** The seed's examples call Dixa's mock server; its base stands for the API server, which the host replaces. */
const SEED_SERVER = 'https://docs.dixa.io/_mock/openapi/dixa-api/beta';

const EXAMPLES = readFileSync(new URL('./fixtures/dixa-end-users-seed-001.curl', import.meta.url), 'utf8')
  .split(/\n\n(?=curl )/)
  .map((block) => block.replace(/^#.*\n/gm, '').trim())
  .filter((block) => block.startsWith('curl '));

/** The example whose first line and URL match, e.g. `PUT` and `/endusers/{userId}'`. */
function example(method: string, urlEnd: string): string {
  const found = EXAMPLES.filter(
    (e) => e.startsWith(`curl -i -X ${method} `) && e.split('\n')[1].includes(urlEnd),
  );
  expect(found).toHaveLength(1);
  return found[0];
}

describe('the seed 001 curl examples, against the demo host with only the server changed', () => {
  let t: TestApp;
  let server: string;
  let userId: string;

  /** Runs an example as documented: only the server, the key and the {userId} placeholder are replaced. */
  async function run(command: string) {
    expect(command.split(SEED_SERVER)).toHaveLength(2); // exactly one URL, on the seed's server
    return runCurl(
      command
        .replace(SEED_SERVER, server)
        .replace('YOUR_API_KEY_HERE', t.workspace.writeKey)
        .replace('{userId}', userId ?? '{userId}'),
    );
  }

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    server = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    // The custom-attributes example names two attributes of Dixa's: define them here with those ids,
    // a Text one and a Select one whose path example1 → example2 the example sets.
    const now = new Date();
    const common = { workspaceId: t.workspace.id, entityType: 'Contact' as const, description: null };
    const flags = {
      isRequired: false,
      isArchived: false,
      isDeactivated: false,
      createdAt: now,
      updatedAt: now,
    };
    await t.dataSource.manager.insert(CustomAttributeEntity, [
      {
        ...common,
        ...flags,
        id: '274e5a2c-be0d-42c0-b725-3dd533729f68',
        identifier: 'reference',
        label: 'Reference',
        inputDefinition: { _type: 'Text', placeholder: null },
      },
      {
        ...common,
        ...flags,
        id: 'befae0d9-9679-42b9-af76-e76f64e28429',
        identifier: 'category',
        label: 'Category',
        inputDefinition: {
          _type: 'Select',
          options: [
            {
              id: '0192d6a0-0000-7000-8000-000000000001',
              value: 'example1',
              label: 'Example 1',
              isDeactivated: false,
              nestedOptions: [
                {
                  id: '0192d6a0-0000-7000-8000-000000000002',
                  value: 'example2',
                  label: 'Example 2',
                  isDeactivated: false,
                  nestedOptions: [],
                },
              ],
            },
          ],
        },
      },
    ] as never);
  });

  afterAll(async () => {
    await t.close();
  });

  it('holds all eleven examples of the seed', () => {
    expect(EXAMPLES).toHaveLength(11);
  });

  it('POST /endusers creates Alice Brown', async () => {
    const res = await run(example('POST', '/endusers \\'));
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        createdAt: expect.any(String),
        displayName: 'Alice Brown',
        email: 'alice@brown.com',
        phoneNumber: '+551155256325',
        additionalEmails: ['alice@secondary.email'],
        additionalPhoneNumbers: ['+5566778899'],
        firstName: 'Alice',
        lastName: 'Brown',
        middleNames: [],
        avatarUrl: 'http://avatar.url',
        externalId: '#12345678',
        customAttributes: [],
      },
    });
    userId = (res.body as { data: { id: string } }).data.id;
  });

  it('GET /endusers with every placeholder filter answers the documented 400 (email and phone together)', async () => {
    const res = await run(example('GET', '/endusers?'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.any(String) });
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('POST /endusers/bulk answers one outcome: the external id is taken by Alice already', async () => {
    const res = await run(example('POST', '/endusers/bulk'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [{ _type: 'BulkActionFailure', error: { _type: 'Integrity', message: expect.any(String) } }],
    });
  });

  it('PUT /endusers answers NotFound for the seed’s id, which this workspace does not have', async () => {
    const res = await run(example('PUT', '/endusers \\'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        {
          _type: 'BulkActionFailure',
          error: {
            _type: 'NotFound',
            id: 'd4826125-559f-496f-ad71-a0340f0cae06',
            message: 'End user not found.',
          },
        },
      ],
    });
  });

  it('PATCH /endusers answers NotFound for the seed’s id', async () => {
    const res = await run(example('PATCH', '/endusers \\'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      data: [
        {
          _type: 'BulkActionFailure',
          error: { _type: 'NotFound', id: '43b1fe06-a7c4-4f34-8e48-b0559e6acdb9' },
        },
      ],
    });
  });

  it('GET /endusers/{userId} reads Alice', async () => {
    const res = await run(example('GET', "/endusers/{userId}'"));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      data: { id: userId, displayName: 'Alice Brown', customAttributes: [] },
    });
  });

  it('PUT /endusers/{userId} replaces Alice (middle name J.)', async () => {
    const res = await run(example('PUT', "/endusers/{userId}'"));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ data: { id: userId, middleNames: ['J.'], externalId: '#12345678' } });
  });

  it('PATCH /endusers/{userId} patches Alice', async () => {
    const res = await run(example('PATCH', "/endusers/{userId}'"));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ data: { id: userId, middleNames: [], email: 'alice@brown.com' } });
  });

  it('PATCH /endusers/{userId}/custom-attributes sets a Text and a Select value', async () => {
    const res = await run(example('PATCH', '/custom-attributes'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        {
          id: '274e5a2c-be0d-42c0-b725-3dd533729f68',
          name: 'Reference',
          identifier: 'reference',
          value: 'abcdef',
        },
        {
          id: 'befae0d9-9679-42b9-af76-e76f64e28429',
          name: 'Category',
          identifier: 'category',
          value: ['example1', 'example2'],
        },
      ],
    });
  });

  it('GET /endusers/{userId}/conversations with the placeholder pageLimit=0 and pageKey answers 400', async () => {
    const res = await run(example('GET', '/conversations?'));
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ message: expect.any(String) });
  });

  it('PATCH /endusers/{userId}/anonymize?force=false answers the request record', async () => {
    const res = await run(example('PATCH', '/anonymize?force=false'));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      data: {
        id: expect.any(String),
        entityType: 'UserAnonymizationType',
        _type: 'User',
        initiatedAt: expect.any(String),
        targetEntityId: userId,
        requestedBy: expect.any(String),
        processedAt: expect.any(String),
      },
    });
  });
});
