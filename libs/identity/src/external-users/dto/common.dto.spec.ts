import { describe, expect, it } from '@jest/globals';
import { mergeRepeatedKeys } from './common.dto.js';

describe('mergeRepeatedKeys (the query of Zaia list routes)', () => {
  it('reads ids[]=a&ids[]=b and ids=a&ids=b as one list', () => {
    expect(mergeRepeatedKeys({ 'ids[]': ['a', 'b'], pageSize: '5' })).toEqual({
      ids: ['a', 'b'],
      pageSize: '5',
    });
    expect(mergeRepeatedKeys({ 'ids[]': 'a', ids: 'b' })).toEqual({ ids: ['a', 'b'] });
  });

  it('keeps __proto__ an own key and never reaches Object.prototype', () => {
    const query = Object.assign(Object.create(null) as Record<string, unknown>, {
      ['__proto__[]']: 'a',
    });
    Object.defineProperty(query, '__proto__', { value: 'b', enumerable: true });
    const merged = mergeRepeatedKeys(query);
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(merged, '__proto__')?.value).toEqual(['a', 'b']);
    expect(mergeRepeatedKeys(JSON.parse('{"__proto__":"x"}'))).not.toHaveProperty('0');
  });
});
