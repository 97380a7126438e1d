import fc from 'fast-check';
import type { RawRequest } from './client.js';
import { encodeAny, fillPath, type MountedRoute, resourceOf } from './routes.js';

/** What the fuzzer knows about the app: its routes and, per route, what gets past its guard. */
export interface FuzzTarget {
  routes: MountedRoute[];
  /** Header sets that get past each route's guard (index of `routes`); empty for none found. */
  credentials: Record<string, string>[][];
  /** Header sets that should not (missing, malformed, revoked, stale). */
  badCredentials: Record<string, string>[];
  /** Field names of each route (`routes` index), and every field name and enum value the app declares. */
  routeFields: string[][];
  allFields: string[];
  enums: string[];
  /** Ids of the caller's own resources, by resource (`endusers` → id). */
  ownIds: Record<string, string>;
  /** Other ids: another workspace's, nonexistent ones. */
  otherIds: string[];
  /** Values that make sense somewhere (ids, tokens, numbers): sent among the adversarial ones. */
  plausible: unknown[];
}

const LONE_SURROGATES = ['\uD800', '\uDFFF', 'a\uDC00b', '\uDBFF\uDBFF'];
const WEIRD_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u202e\u200b\ufeff',
  '😀'.repeat(50),
  'Ω≈ç√∫',
  '\r\n\t',
  '%00',
  '%',
  '../..',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'true',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e309',
  '9'.repeat(40),
  '-9007199254740993',
  '0x1F',
  "'; DROP TABLE identity_workspaces; --",
  '" OR 1=1 --',
  '${7*7}',
  '<script>alert(1)</script>',
  '{"$gt": ""}',
  '00000000-0000-0000-0000-000000000000',
  '0192d6a0-0000-7000-8000-00000000f00d',
  'eyJpZCI6IjEifQ', // base64 JSON, as a page key might look
  'eyJpZCI6Wzc1MCwiX19wcm90b19fIl19',
  'bm90IGpzb24=',
  '1970-01-01T00:00:00Z',
  '2999-12-31T23:59:59+14:00',
  '2026-02-30',
  ...LONE_SURROGATES,
];
const NUMBERS = [0, -1, 1, -0.5, 2 ** 31, 2 ** 53, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER + 2, 1.5];

/** Strings of every kind: random unicode (lone surrogates too), weird fixed ones, long ones. */
const stringArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  { weight: 5, arbitrary: fc.constantFrom(...WEIRD_STRINGS) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 5_000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map((n) => '\u{1F600}\u0000é'.repeat(n)) },
);

function nested(depth: number, leaf: unknown, array: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) {
    value = array ? [value] : { a: value };
  }
  return value;
}

/** JSON values of every kind, with deep nesting and the keys a prototype pollution would use. */
function valueArb(target: FuzzTarget): fc.Arbitrary<unknown> {
  const scalar = fc.oneof(
    { weight: 5, arbitrary: stringArb },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBERS) },
    { weight: 2, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double() }, // NaN and Infinity become null in JSON
    { weight: 2, arbitrary: fc.constantFrom(true, false, null) },
    { weight: 4, arbitrary: fc.constantFrom(...target.plausible, ...target.enums) },
  );
  const { value } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 6, arbitrary: scalar },
      { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }) },
      { weight: 1, arbitrary: fc.dictionary(keyArb(target), tie('value'), { maxKeys: 4 }) },
    ),
  }));
  return fc.oneof(
    { weight: 20, arbitrary: value },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.integer({ min: 20, max: 300 }), fc.boolean()).map(([d, a]) => nested(d, 1, a)),
    },
  );
}

/** Object keys: the app's field names mostly, prototype keys and odd ones sometimes. */
function keyArb(target: FuzzTarget): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...target.allFields) },
    { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', '_type', '$where', '') },
    { weight: 2, arbitrary: stringArb },
  );
}

/** A JSON object with the route's fields (and others), written as text so `__proto__` stays an own key. */
function objectText(target: FuzzTarget, routeIndex: number): fc.Arbitrary<string> {
  const fields = target.routeFields[routeIndex];
  const key =
    fields.length > 0
      ? fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...fields) },
          { weight: 1, arbitrary: keyArb(target) },
        )
      : keyArb(target);
  return fc
    .array(fc.tuple(key, valueArb(target)), { maxLength: 8 })
    .map(
      (entries) =>
        `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`,
    );
}

const MALFORMED_JSON = [
  '{',
  '{"a":',
  '{"a":1,}',
  '[1,2',
  'NaN',
  '{"a": NaN}',
  '\ufeff{"a":1}',
  "{'a': 1}",
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '1',
  '"text"',
  'null',
  '[]',
  '[[[[[[[[[[]]]]]]]]]]',
  '{"a":1}{"b":2}',
  '',
];

/** Body text and content type. */
function bodyArb(target: FuzzTarget, routeIndex: number): fc.Arbitrary<{ type?: string; text?: string }> {
  const json = (text: fc.Arbitrary<string>) => text.map((t) => ({ type: 'application/json', text: t }));
  return fc.oneof(
    { weight: 14, arbitrary: json(objectText(target, routeIndex)) },
    { weight: 2, arbitrary: json(valueArb(target).map((v) => JSON.stringify(v) ?? 'null')) },
    { weight: 2, arbitrary: json(fc.constantFrom(...MALFORMED_JSON)) },
    {
      weight: 1,
      arbitrary: json(fc.integer({ min: 90_000, max: 130_000 }).map((n) => `{"name":"${'y'.repeat(n)}"}`)),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        type: fc.constantFrom(
          'text/plain',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
          'application/xml',
        ),
        text: fc.oneof(
          fc.constantFrom(
            'a[b][c]=1&__proto__[x]=1&constructor[prototype][y]=2',
            'name=x&name=y',
            '<a/>',
            '--x--',
          ),
          stringArb,
        ),
      }),
    },
    { weight: 2, arbitrary: fc.constant({}) },
  );
}

/** A query string: the route's parameters and page sizes, with wrong types, arrays and nesting. */
function queryArb(target: FuzzTarget, routeIndex: number): fc.Arbitrary<string> {
  const names = [
    ...target.routeFields[routeIndex],
    'pageLimit',
    'pageKey',
    'limit',
    'page',
    'cursor',
    'offset',
    'force',
    'token',
    '__proto__',
    'constructor[prototype][x]',
  ];
  const value = fc.oneof(
    { weight: 3, arbitrary: stringArb },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        '-1',
        '0',
        'NaN',
        '1e9',
        '99999999999999999999',
        '1.5',
        '-0',
        'abc',
        '[]',
        '{}',
      ),
    },
    { weight: 2, arbitrary: fc.constantFrom(...target.plausible.map(String), ...target.enums) },
  );
  const pair = fc.tuple(fc.constantFrom(...names), fc.constantFrom('', '[]', '[a]', '[0][b]'), value);
  return fc
    .array(pair, { maxLength: 5 })
    .map((pairs) => pairs.map(([k, suffix, v]) => `${encodeAny(k)}${suffix}=${encodeAny(v)}`).join('&'));
}

/** Header values must be latin-1 without control characters for Node's client to send them. */
const headerSafe = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');

function headersArb(target: FuzzTarget, routeIndex: number): fc.Arbitrary<Record<string, string>> {
  const good = target.credentials[routeIndex];
  const extra = fc.dictionary(
    fc.constantFrom('x-acting-for', 'timestamp', 'api-user', 'x-forwarded-for', 'accept', 'content-encoding'),
    stringArb.map(headerSafe),
    { maxKeys: 2 },
  );
  const auth = fc.oneof(
    { weight: good.length > 0 ? 8 : 0, arbitrary: fc.constantFrom(...(good.length > 0 ? good : [{}])) },
    { weight: 2, arbitrary: fc.constantFrom(...target.badCredentials) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('Token ', 'Bearer ', '', 'Basic '), stringArb.map(headerSafe))
        .map(([scheme, token]) => ({ authorization: `${scheme}${token}` })),
    },
  );
  return fc
    .tuple(auth, fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: extra }))
    .map(([a, e]) => {
      const headers = { ...e, ...a };
      // a request may not both claim to be compressed and carry plain text: keep that case rare but present
      return headers;
    });
}

/** A path parameter: the caller's own id of that resource mostly, else someone else's or garbage. */
function paramArb(target: FuzzTarget, route: MountedRoute, param: string): fc.Arbitrary<string> {
  const own = target.ownIds[resourceOf(route, param)];
  return fc.oneof(
    { weight: own ? 6 : 0, arbitrary: fc.constant(own ?? '') },
    { weight: 2, arbitrary: fc.constantFrom(...target.otherIds) },
    { weight: 3, arbitrary: stringArb.filter((s) => s !== '') },
  );
}

/** One fuzz request, and the mounted route it was made for. */
export interface FuzzRequest {
  route: MountedRoute;
  req: RawRequest;
}

/** One fuzz request for any mounted route. */
export function requestArb(target: FuzzTarget): fc.Arbitrary<FuzzRequest> {
  return fc.integer({ min: 0, max: target.routes.length - 1 }).chain((i) => {
    const route = target.routes[i];
    return fc
      .record({
        params: fc.tuple(...route.params.map((p) => paramArb(target, route, p))),
        query: fc.oneof(
          { weight: 1, arbitrary: fc.constant('') },
          { weight: 1, arbitrary: queryArb(target, i) },
        ),
        headers: headersArb(target, i),
        body: bodyArb(target, i),
      })
      .map(({ params, query, headers, body }) => {
        const path = route.params.length > 0 ? fillPath(route, params as string[]) : route.path;
        const req: RawRequest = {
          method: route.method,
          url: query ? `${path}?${query}` : path,
          headers: body.type ? { ...headers, 'content-type': body.type } : headers,
          body: body.text,
        };
        return { route, req };
      });
  });
}
