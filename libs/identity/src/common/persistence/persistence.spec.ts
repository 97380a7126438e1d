import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isUuid, newId } from './persistence.js';

describe('newId', () => {
  it('makes version-7 UUIDs with the RFC 9562 variant', () => {
    const id = newId();
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
  });

  it('makes ids that sort in creation order, even thousands within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws fresh random bits for every id, across many refills of its random pool', () => {
    const tails = Array.from({ length: 5000 }, () => newId().slice(20));
    expect(new Set(tails).size).toBe(tails.length);
  });

  it('carries the creation time in its first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(Date.now() + 1);
  });
});

describe('isUuid', () => {
  it('accepts any UUID and refuses anything that is not one', () => {
    fc.assert(fc.property(fc.uuid(), (uuid) => expect(isUuid(uuid)).toBe(true)));
    for (const bad of ['', 'x', '00000000-0000-0000-0000-00000000000', '../etc/passwd', 42, null]) {
      expect(isUuid(bad)).toBe(false);
    }
  });
});
