import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { chunked, rowsPerChunk, sqliteInstant, sqlValue } from './bulk-statements.js';

describe('bulk statements', () => {
  it('formats instants as TypeORM stores them in SQLite, so text order is time order', () => {
    expect(sqliteInstant(new Date('2024-03-01T12:34:56.789Z'))).toBe('2024-03-01 12:34:56.789');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 253_402_300_799_000 }),
        fc.integer({ min: 0, max: 253_402_300_799_000 }),
        (a, b) => {
          expect(Math.sign(sqliteInstant(a).localeCompare(sqliteInstant(b)))).toBe(Math.sign(a - b));
        },
      ),
    );
  });

  it('keeps every row, in order, when chunking', () => {
    fc.assert(
      fc.property(fc.array(fc.nat()), fc.integer({ min: 1, max: 50 }), (items, size) => {
        const chunks = chunked(items, size);
        expect(chunks.flat()).toEqual(items);
        expect(chunks.every((c) => c.length > 0 && c.length <= size)).toBe(true);
      }),
    );
  });

  it("stays under SQLite's 32,766 variables per statement", () => {
    for (let columns = 1; columns < 200; columns++) {
      expect(rowsPerChunk(columns) * columns).toBeLessThanOrEqual(32_766);
    }
  });

  it('hands each driver its own booleans and instants', () => {
    expect(sqlValue(false, 'boolean', true)).toBe(1);
    expect(sqlValue(true, 'boolean', true)).toBe(true);
    expect(sqlValue(true, 'instant', new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(sqlValue(false, 'instant', null)).toBeNull();
  });
});
