import { describe, expect, it } from '@jest/globals';
import type { ValidationError } from '@nestjs/common';
import fc from 'fast-check';
import { describeValidationErrors } from './validation.pipe.js';

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
