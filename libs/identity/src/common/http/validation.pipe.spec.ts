import { describe, expect, it } from '@jest/globals';
import type { ValidationError } from '@nestjs/common';
import { IsObject, IsOptional, IsString } from 'class-validator';
import fc from 'fast-check';
import { IdentityError, IdentityErrorCode } from '../errors/identity-error.js';
import {
  describeValidationErrors,
  findInputProblems,
  identityValidationPipe,
  type InputProblem,
  MAX_INPUT_DEPTH,
} from './validation.pipe.js';

function error(
  property: string,
  constraints?: Record<string, string>,
  children: ValidationError[] = [],
): ValidationError {
  return { property, constraints, children };
}

describe('describeValidationErrors', () => {
  it('names a top-level field and prefixes a message that does not start with it', () => {
    expect(describeValidationErrors([error('email', { isEmail: 'must be an email' })])).toEqual({
      fields: ['email'],
      messages: ['email: must be an email'],
    });
  });

  it('keeps a message that already starts with the field name as it is', () => {
    expect(
      describeValidationErrors([error('email', { isEmail: 'email must be an email' })]).messages,
    ).toEqual(['email must be an email']);
  });

  it('lists every constraint of a field', () => {
    const result = describeValidationErrors([
      error('name', { isString: 'name must be a string', maxLength: 'name must be shorter' }),
    ]);
    expect(result).toEqual({ fields: ['name'], messages: ['name must be a string', 'name must be shorter'] });
  });

  it('names nested fields by dotted path, at any depth', () => {
    const result = describeValidationErrors([
      error('profile', undefined, [
        error('name', { isString: 'name must be a string' }),
        error('address', undefined, [error('zip', { matches: 'must be 5 digits' })]),
      ]),
    ]);
    expect(result).toEqual({
      fields: ['profile.name', 'profile.address.zip'],
      messages: ['profile.name: name must be a string', 'profile.address.zip: must be 5 digits'],
    });
  });

  it('names array elements by index', () => {
    const result = describeValidationErrors([
      error('members', undefined, [
        error('0', undefined, [error('email', { isEmail: 'email must be an email' })]),
        error('2', undefined, [error('email', { isEmail: 'email must be an email' })]),
      ]),
    ]);
    expect(result.fields).toEqual(['members.0.email', 'members.2.email']);
  });

  it('reports both a field’s own constraints and those of its children', () => {
    const result = describeValidationErrors([
      error('settings', { isObject: 'settings must be an object' }, [error('theme', { isIn: 'bad theme' })]),
    ]);
    expect(result).toEqual({
      fields: ['settings', 'settings.theme'],
      messages: ['settings must be an object', 'settings.theme: bad theme'],
    });
  });

  it('starts nested paths from the given parent', () => {
    expect(describeValidationErrors([error('tier', { isIn: 'bad tier' })], 'user').fields).toEqual([
      'user.tier',
    ]);
  });

  it('returns nothing for no errors, or for nodes without constraints or children', () => {
    expect(describeValidationErrors([])).toEqual({ fields: [], messages: [] });
    expect(describeValidationErrors([error('empty')])).toEqual({ fields: [], messages: [] });
  });

  it('names every constrained node by its dotted path, and starts each of its messages with that path', () => {
    const property = fc.stringMatching(/^[a-z][a-zA-Z0-9]{0,7}$/);
    const constraints = fc.option(
      fc.dictionary(fc.stringMatching(/^is[A-Z][a-z]{1,6}$/), fc.lorem(), { minKeys: 1 }),
      {
        nil: undefined,
      },
    );
    const { tree } = fc.letrec<{ tree: ValidationError[]; node: ValidationError }>((tie) => ({
      tree: fc.array(tie('node'), { maxLength: 3 }),
      node: fc.record({
        property,
        constraints,
        children: fc.oneof({ maxDepth: 4 }, fc.constant([]), tie('tree')) as fc.Arbitrary<ValidationError[]>,
      }),
    }));

    const expectedPaths = (errors: ValidationError[], parent: string): { path: string; count: number }[] =>
      errors.flatMap((e) => {
        const path = parent ? `${parent}.${e.property}` : e.property;
        const own = e.constraints ? [{ path, count: Object.keys(e.constraints).length }] : [];
        return [...own, ...expectedPaths(e.children ?? [], path)];
      });

    fc.assert(
      fc.property(tree, (errors) => {
        const expected = expectedPaths(errors, '');
        const { fields, messages } = describeValidationErrors(errors);
        expect(fields).toEqual(expected.map((e) => e.path));
        const messagePaths = expected.flatMap((e) => new Array<string>(e.count).fill(e.path));
        expect(messages).toHaveLength(messagePaths.length);
        messages.forEach((message, i) => expect(message.startsWith(messagePaths[i])).toBe(true));
      }),
    );
  });
});

/** A chain of `depth` containers (arrays where `arrays(level)` says so, else `{ a: … }`) around `leaf`, built without recursion. */
function chain(depth: number, leaf: unknown, arrays: (level: number) => boolean = () => false): unknown {
  let value = leaf;
  for (let level = depth; level >= 1; level--) {
    value = arrays(level) ? [value] : { a: value };
  }
  return value;
}

/** The same chain as JSON text, as a client sends it (JSON.stringify would overflow on it). */
function chainJson(depth: number, leaf: string, arrays: (level: number) => boolean): string {
  let open = '';
  let close = '';
  for (let level = 1; level <= depth; level++) {
    open += arrays(level) ? '[' : '{"a":';
    close = (arrays(level) ? ']' : '}') + close;
  }
  return open + leaf + close;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Reference: does the text hold a surrogate that is not half of a high-low pair? (char by char, no regex) */
function hasUnpairedSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (isHigh(c) && i + 1 < text.length && isLow(text.charCodeAt(i + 1))) {
      i++;
    } else if (isHigh(c) || isLow(c)) {
      return true;
    }
  }
  return false;
}

/** Reference: a key as a path shows it, NUL and unpaired surrogates as `\uXXXX`. */
function printable(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (isHigh(c) && i + 1 < key.length && isLow(key.charCodeAt(i + 1))) {
      out += key[i] + key[i + 1];
      i++;
    } else if (c === 0 || isHigh(c) || isLow(c)) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
    } else {
      out += key[i];
    }
  }
  return out;
}

/** Reference walk, plainly recursive (only fed shallow values): what findInputProblems must report. */
function expectedProblems(value: unknown, maxDepth: number): InputProblem[] {
  const found: InputProblem[] = [];
  const deepFields = new Set<string>();
  const text = (s: string, field: string, inKey: boolean) => {
    if (s.includes('\u0000')) {
      found.push({ field, reason: 'nul', inKey });
    }
    if (hasUnpairedSurrogate(s)) {
      found.push({ field, reason: 'unpaired-surrogate', inKey });
    }
  };
  const visit = (v: unknown, path: string, top: string, depth: number) => {
    if (typeof v === 'string') {
      text(v, path || 'value', false);
    } else if (typeof v === 'object' && v !== null) {
      if (depth > maxDepth) {
        if (!deepFields.has(top)) {
          deepFields.add(top);
          found.push({ field: top, reason: 'too-deep', inKey: false });
        }
        return;
      }
      const entries = Array.isArray(v) ? v.map((item, i) => [String(i), item] as const) : Object.entries(v);
      for (const [key, item] of entries) {
        const segment = printable(key);
        const childPath = path ? `${path}.${segment}` : segment;
        if (!Array.isArray(v)) {
          text(key, childPath, true);
        }
        visit(item, childPath, path ? top : segment, depth + 1);
      }
    }
  };
  visit(value, '', 'value', 1);
  return found;
}

/** Single UTF-16 code units (lone surrogates included), NUL, and well-formed pairs. */
const codeUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\ud83d\ude00', 'a', '.'),
);
const text = fc.string({ unit: codeUnit, maxLength: 5 });
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    text,
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('json'), { maxLength: 4 }),
    fc.dictionary(text, tie('json'), { maxKeys: 4 }),
  ),
}));

describe('findInputProblems', () => {
  it('finds nothing wrong in ordinary input, emoji included', () => {
    expect(
      findInputProblems({
        name: 'Ünïcödé 😀',
        tags: ['a', { '😀': '\ud83d\ude00' }],
        n: 1,
        ok: true,
        no: null,
      }),
    ).toEqual([]);
  });

  it('names a value holding NUL or an unpaired surrogate by its dotted path', () => {
    expect(findInputProblems({ a: { b: ['x', 'y\u0000'] }, c: 'q\ud800', d: '\udc00\ud800' })).toEqual([
      { field: 'a.b.1', reason: 'nul', inKey: false },
      { field: 'c', reason: 'unpaired-surrogate', inKey: false },
      { field: 'd', reason: 'unpaired-surrogate', inKey: false },
    ]);
  });

  it('checks object keys too, showing the bad character in the path as \\uXXXX', () => {
    expect(findInputProblems({ properties: { 'a\ud800': 1, 'b\u0000': 2, '😀': 3 } })).toEqual([
      { field: 'properties.a\\ud800', reason: 'unpaired-surrogate', inKey: true },
      { field: 'properties.b\\u0000', reason: 'nul', inKey: true },
    ]);
  });

  it('names a bare string by the root name given, else "value"', () => {
    expect(findInputProblems('a\u0000', MAX_INPUT_DEPTH, 'id')).toEqual([
      { field: 'id', reason: 'nul', inKey: false },
    ]);
    expect(findInputProblems('\udfff')).toEqual([
      { field: 'value', reason: 'unpaired-surrogate', inKey: false },
    ]);
  });

  it(`allows ${MAX_INPUT_DEPTH} levels counting the value itself, and names the top-level field of a deeper one`, () => {
    expect(findInputProblems({ properties: chain(MAX_INPUT_DEPTH - 1, 'leaf') })).toEqual([]);
    expect(findInputProblems({ properties: chain(MAX_INPUT_DEPTH, 'leaf') })).toEqual([
      { field: 'properties', reason: 'too-deep', inKey: false },
    ]);
    expect(
      findInputProblems(
        chain(MAX_INPUT_DEPTH + 1, 1, () => true),
        MAX_INPUT_DEPTH,
        'body',
      ),
    ).toEqual([{ field: 'body', reason: 'too-deep', inKey: false }]);
  });

  it('reports a deep field once, does not look below the limit, and still reports the rest', () => {
    const deep = chain(40, 'bad\u0000');
    expect(findInputProblems({ a: 'x\ud800', mapping: { one: deep, two: deep }, z: 'y\u0000' })).toEqual([
      { field: 'a', reason: 'unpaired-surrogate', inKey: false },
      { field: 'mapping', reason: 'too-deep', inKey: false },
      { field: 'z', reason: 'nul', inKey: false },
    ]);
  });

  it('walks 100,000 levels with no depth limit at all without overflowing the stack', () => {
    const found = findInputProblems({ deep: chain(100_000, 'q\ud800', (l) => l % 3 === 0) }, Infinity);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ reason: 'unpaired-surrogate', inKey: false });
    expect(found[0].field.split('.')).toHaveLength(100_001);
  });

  it('never throws, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(Array.isArray(findInputProblems(value))).toBe(true);
      }),
    );
  });

  it('never throws for any nesting up to 100,000 levels, and flags exactly those past the limit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 1, max: 7 }), (depth, period) => {
        const value: unknown = JSON.parse(chainJson(depth, '"leaf\\ud800"', (l) => l % period === 0));
        const found = findInputProblems({ field: value });
        // The body is level 1, so a chain of `depth` containers under `field` reaches level depth + 1.
        expect(found).toEqual(
          depth + 1 > MAX_INPUT_DEPTH
            ? [{ field: 'field', reason: 'too-deep', inKey: false }]
            : [
                {
                  field: depth === 0 ? 'field' : expect.stringMatching(/^field\./),
                  reason: 'unpaired-surrogate',
                  inKey: false,
                },
              ],
        );
      }),
      { numRuns: 30 },
    );
  });

  it('finds exactly the NUL characters, unpaired surrogates and too-deep fields a plain recursive walk finds', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 1, max: 6 }), (value, maxDepth) => {
        expect(findInputProblems(value, maxDepth)).toEqual(expectedProblems(value, maxDepth));
      }),
      { numRuns: 500 },
    );
  });
});

class DeepDto {
  @IsString()
  name: string;

  @IsOptional()
  @IsObject()
  properties?: Record<string, unknown>;
}

describe('identityValidationPipe', () => {
  const pipe = identityValidationPipe();
  const asBody = { type: 'body', metatype: DeepDto } as const;

  async function refusal(
    value: unknown,
    metadata: Parameters<typeof pipe.transform>[1],
  ): Promise<IdentityError> {
    const error = await pipe.transform(value, metadata).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IdentityError);
    return error as IdentityError;
  }

  it('refuses input nested deeper than the limit as a validation error, before class-transformer recurses into it', async () => {
    const error = await refusal({ name: 'x', properties: chain(20_000, 1, (l) => l % 2 === 0) }, asBody);
    expect(error.code).toBe(IdentityErrorCode.Validation);
    expect(error.getStatus()).toBe(400);
    expect(error.message).toBe(
      `properties: must not nest objects or arrays deeper than ${MAX_INPUT_DEPTH} levels`,
    );
    expect(error.details.fields).toEqual(['properties']);
  });

  it('names every bad field once, with a message per problem', async () => {
    const error = await refusal({ name: 'a\u0000\ud800', properties: { 'k\udc00': 'v' } }, asBody);
    expect(error.message).toBe(
      'name: must not contain NUL characters; name: must not contain unpaired UTF-16 surrogates; ' +
        'properties.k\\udc00: name must not contain unpaired UTF-16 surrogates',
    );
    expect(error.details.fields).toEqual(['name', 'properties.k\\udc00']);
  });

  it('names a single named parameter by its name', async () => {
    const error = await refusal('x\ud800', { type: 'param', metatype: String, data: 'id' });
    expect(error.details.fields).toEqual(['id']);
  });

  it('passes well-formed input at the limit through to the DTO', async () => {
    const properties = chain(MAX_INPUT_DEPTH - 1, '😀');
    const result = await pipe.transform({ name: 'ok 😀', properties }, asBody);
    expect(result).toBeInstanceOf(DeepDto);
    expect(result).toEqual(Object.assign(new DeepDto(), { name: 'ok 😀', properties }));
  });
});
