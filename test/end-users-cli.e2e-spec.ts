import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCliCommand } from '../src/cli-commands.js';
import { createTestApp, type TestApp } from './utils/test-app.js';

describe('identity CLI: custom-attributes seed', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });

  afterAll(async () => {
    await t.close();
  });

  it('defines the demo custom attributes once, so the end-users surface can be tried at once', async () => {
    const lines = await runCliCommand(t.app, ['custom-attributes', 'seed', '--workspace', t.workspace.id]);
    expect(lines).toHaveLength(3);
    expect(lines.every((line) => line.startsWith('Created'))).toBe(true);
    const again = await runCliCommand(t.app, ['custom-attributes', 'seed', '--workspace', t.workspace.id]);
    expect(again.every((line) => line.startsWith('Kept'))).toBe(true);

    const list = await t.http.get('/beta/custom-attributes').set('Authorization', t.workspace.readKey);
    expect(list.body.data.map((a: { identifier: string }) => a.identifier)).toEqual([
      'plan',
      'region',
      'topic',
    ]);
    const region = list.body.data[1].id;
    const user = (
      await t.http
        .post('/beta/endusers')
        .set('Authorization', t.workspace.writeKey)
        .send({ displayName: 'Eve' })
    ).body.data.id;
    const res = await t.http
      .patch(`/beta/endusers/${user}/custom-attributes`)
      .set('Authorization', t.workspace.writeKey)
      .send({ [region]: ['Europe', 'Denmark'] });
    expect(res.status).toBe(200);
  });
});
