import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'supertest';
import { describeWithApp } from './utils/describe-with-app.js';
import { withKey } from './utils/fixtures.js';

// Bodies are sent as raw JSON text: JSON.stringify would escape a lone surrogate as `\ud800`, which is
// exactly what an attacker sends, and building a 50,000-level value in JS would overflow the stack.

/** `depth` nested arrays around `inner`, as JSON text. */
const nestedArrays = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);
/** `depth` nested objects (`{"a":…}`) around `inner`, as JSON text. */
const nestedObjects = (depth: number, inner = '1') => '{"a":'.repeat(depth) + inner + '}'.repeat(depth);

/** Deep values well inside the 100 KB body limit; each overflowed the stack (500) before the depth limit. */
const DEEP_VALUES: [string, string][] = [
  ['1,500 nested arrays', nestedArrays(1_500)],
  ['2,500 nested objects', nestedObjects(2_500)],
  ['50,000 nested arrays (just under the body limit)', nestedArrays(50_000)],
];

/** The user-group surface's answer to a field nested too deep. */
const depthError = (field: string) => ({
  success: 0,
  error: `Invalid data provided: ${field}: must not nest objects or arrays deeper than 32 levels`,
});

describeWithApp('shared input validation: nesting depth, NUL and lone surrogates', (ctx) => {
  const writeAuth = () => withKey(ctx.app, 'write');
  const readAuth = () => withKey(ctx.app, 'read');

  beforeAll(async () => {
    // The group the form-body spec reaches at the limit, so a read key finds it too.
    await ctx.app.http.get('/api/user').set(writeAuth()).send({ name: 'Deep', user_group_id: 'deep_form' });
  });

  /** Sends raw JSON text with a method and auth header. */
  function sendRaw(
    method: 'get' | 'patch' | 'delete' | 'post',
    path: string,
    auth: Record<string, string>,
    json: string,
  ): Promise<Response> {
    return ctx.app.http[method](path).set(auth).set('Content-Type', 'application/json').send(json);
  }

  describe.each([
    ['write', writeAuth],
    ['read', readAuth],
  ] as const)('deeply nested input, with a %s key', (scope, auth) => {
    // Guards run before pipes: a read key on a write route is refused (403) before the body is looked at.
    const writeRouteStatus = scope === 'write' ? 400 : 403;

    it.each(DEEP_VALUES)(
      'GET /api/user answers 400 in the Explo shape for %s in the body',
      async (_l, deep) => {
        const res = await sendRaw(
          'get',
          '/api/user',
          auth(),
          `{"name":"Deep","user_group_id":"deep_body","properties":{"x":${deep}}}`,
        );
        expect(res.status).toBe(400);
        expect(res.body).toEqual(depthError('properties'));
      },
    );

    it.each(DEEP_VALUES)('GET /api/user answers 400 for %s under an unknown key', async (_l, deep) => {
      const res = await sendRaw('get', '/api/user', auth(), `{"zzz":${deep}}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(depthError('zzz'));
    });

    it('GET /api/user answers 400 for deep JSON in the properties query parameter', async () => {
      // Node takes 16 KB of request head: 1,500 arrays and 800 objects, percent-encoded, fit in it.
      for (const deep of [nestedArrays(1_500), nestedObjects(800)]) {
        const res = await ctx.app.http
          .get('/api/user')
          .query({ name: 'Deep', user_group_id: 'deep_query', properties: deep })
          .set(auth());
        expect(res.status).toBe(400);
        expect(res.body).toEqual(depthError('properties'));
      }
    });

    it('GET /api/user never answers 5xx to deep bracket keys in the query string', async () => {
      // Express 5 parses queries flat ('simple'); with qs ('extended') the depth would be capped at 5.
      const key = 'properties' + '[a]'.repeat(2_500);
      const res = await ctx.app.http.get(`/api/user?name=Deep&user_group_id=deep_qs&${key}=1`).set(auth());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ success: 0 });
    });

    it('GET /api/user takes form-encoded bodies up to the limit and refuses deeper ones with 400', async () => {
      // Nest parses form bodies with qs: up to 32 brackets it builds the object (the pipe then applies the
      // limit), deeper ones body-parser refuses itself.
      const form = (brackets: number) =>
        ctx.app.http
          .get('/api/user')
          .set(auth())
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .send(`name=Deep&user_group_id=deep_form&properties${'[a]'.repeat(brackets)}=1`);
      // n brackets make n + 1 levels: the body, properties, and n - 1 objects below it.
      expect((await form(31)).status).toBe(200);
      expect((await form(32)).body).toEqual(depthError('properties'));
      const deepest = await form(2_500);
      expect(deepest.status).toBe(400);
      expect(deepest.body).toEqual({ success: 0, error: expect.stringContaining('exceeded the depth') });
    });

    it.each(DEEP_VALUES)('PATCH /api/user never answers 5xx to %s', async (_l, deep) => {
      const res = await sendRaw(
        'patch',
        '/api/user',
        auth(),
        `{"current_token":"ugt_x","properties":${deep}}`,
      );
      expect(res.status).toBe(writeRouteStatus);
      expect(res.body).toMatchObject({ success: 0, error: expect.any(String) });
      if (scope === 'write') {
        expect(res.body).toEqual(depthError('properties'));
      }
    });

    it.each(DEEP_VALUES)('DELETE /api/user never answers 5xx to %s', async (_l, deep) => {
      const res = await sendRaw('delete', '/api/user', auth(), `{"current_token":${deep}}`);
      expect(res.status).toBe(writeRouteStatus);
      expect(res.body).toMatchObject({ success: 0, error: expect.any(String) });
      if (scope === 'write') {
        expect(res.body).toEqual(depthError('current_token'));
      }
    });

    it.each(DEEP_VALUES)(
      'POST /identity/api-keys answers in the { message } shape to %s',
      async (_l, deep) => {
        const res = await sendRaw('post', '/identity/api-keys', auth(), `{"name":${deep}}`);
        expect(res.status).toBe(writeRouteStatus);
        if (scope === 'write') {
          expect(res.body).toEqual({
            message: expect.stringContaining('name: must not nest objects or arrays deeper than 32 levels'),
            fields: ['name'],
          });
        } else {
          expect(res.body).toEqual({ message: expect.any(String) });
        }
      },
    );

    it('answers 413, not 5xx, to 100,000 nesting levels (more than the 100 KB body limit holds)', async () => {
      const res = await sendRaw('get', '/api/user', auth(), `{"properties":${nestedArrays(100_000)}}`);
      expect(res.status).toBe(413);
      expect(res.body).toMatchObject({ success: 0 });
    });
  });

  it('accepts nesting up to the limit: a body of 32 levels in all', async () => {
    // The body is level 1 and properties level 2, so properties may hold 30 more levels.
    const res = await sendRaw(
      'get',
      '/api/user',
      writeAuth(),
      `{"name":"Deep","user_group_id":"deep_ok","properties":${nestedObjects(31, '"leaf"')}}`,
    );
    expect(res.status).toBe(200);
    const tooDeep = await sendRaw(
      'get',
      '/api/user',
      writeAuth(),
      `{"name":"Deep","user_group_id":"deep_ok","properties":${nestedObjects(32, '"leaf"')}}`,
    );
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body).toEqual({
      success: 0,
      error: 'Invalid data provided: properties: must not nest objects or arrays deeper than 32 levels',
    });
  });

  describe('lone UTF-16 surrogates (PostgreSQL would store them as U+FFFD)', () => {
    const loneSurrogateError = {
      success: 0,
      error: 'Invalid data provided: user_group_id: must not contain unpaired UTF-16 surrogates',
    };

    it('never hands the group of user_group_id q\\ufffd (or its token) to q\\ud800, with either key', async () => {
      const replacement = await sendRaw(
        'get',
        '/api/user',
        writeAuth(),
        '{"name":"S","user_group_id":"q\\ufffd"}',
      );
      expect(replacement.status).toBe(200);
      expect(replacement.body).toMatchObject({
        new_user_group: true,
        user_group: { provided_id: 'q\ufffd' },
      });
      const token: string = replacement.body.user_group.token;

      for (const auth of [writeAuth(), readAuth()]) {
        const lone = await sendRaw('get', '/api/user', auth, '{"name":"S","user_group_id":"q\\ud800"}');
        expect(JSON.stringify(lone.body)).not.toContain(token);
        expect(lone.status).toBe(400);
        expect(lone.body).toEqual(loneSurrogateError);
      }
    });

    it('refuses user_group_id r\\ud800 before creating anything: r\\ufffd is still a new group after it', async () => {
      const lone = await sendRaw('get', '/api/user', writeAuth(), '{"name":"S","user_group_id":"r\\ud800"}');
      expect(lone.status).toBe(400);
      expect(lone.body).toEqual(loneSurrogateError);
      const replacement = await sendRaw(
        'get',
        '/api/user',
        writeAuth(),
        '{"name":"S","user_group_id":"r\\ufffd"}',
      );
      expect(replacement.status).toBe(200);
      expect(replacement.body).toMatchObject({
        new_user_group: true,
        user_group: { provided_id: 'r\ufffd' },
      });
    });

    it('refuses a lone surrogate in an object key, naming the field', async () => {
      const res = await sendRaw(
        'get',
        '/api/user',
        writeAuth(),
        '{"name":"S","user_group_id":"k1","properties":{"ok":{"a\\udc00":1}}}',
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: 0,
        error:
          'Invalid data provided: properties.ok.a\\udc00: name must not contain unpaired UTF-16 surrogates',
      });
    });

    it('refuses lone surrogates on PATCH /api/user and POST /identity/api-keys in each surface’s shape', async () => {
      const created = await sendRaw(
        'get',
        '/api/user',
        writeAuth(),
        '{"name":"P","user_group_id":"patch_s"}',
      );
      const token: string = created.body.user_group.token;
      const patch = await sendRaw(
        'patch',
        '/api/user',
        writeAuth(),
        `{"current_token":"${token}","name":"\\udfff tail"}`,
      );
      expect(patch.status).toBe(400);
      expect(patch.body).toEqual({ success: 0, error: expect.stringContaining('name: must not contain') });

      const key = await sendRaw('post', '/identity/api-keys', writeAuth(), '{"name":"k\\ud800"}');
      expect(key.status).toBe(400);
      expect(key.body).toEqual({
        message: 'Invalid data provided: name: must not contain unpaired UTF-16 surrogates',
        fields: ['name'],
      });
    });

    it('accepts well-formed surrogate pairs (emoji) in values and keys, and stores them intact', async () => {
      const res = await sendRaw(
        'get',
        '/api/user',
        writeAuth(),
        '{"name":"\\ud83d\\ude00","user_group_id":"emoji_\\ud83d\\ude00","properties":{"\\ud83d\\ude00":"\\ud83d\\ude00"}}',
      );
      expect(res.status).toBe(200);
      expect(res.body.user_group).toMatchObject({
        name: '😀',
        provided_id: 'emoji_😀',
        properties: { '😀': '😀' },
      });
      const again = await sendRaw('get', '/api/user', readAuth(), '{"name":"x","user_group_id":"emoji_😀"}');
      expect(again.body).toMatchObject({
        new_user_group: false,
        user_group: { token: res.body.user_group.token },
      });
    });

    it('refuses NUL in an object key as it does in a value', async () => {
      const res = await sendRaw(
        'get',
        '/api/user',
        writeAuth(),
        '{"name":"N","user_group_id":"nul_key","properties":{"a\\u0000b":1}}',
      );
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        success: 0,
        error: 'Invalid data provided: properties.a\\u0000b: name must not contain NUL characters',
      });
    });
  });
});
