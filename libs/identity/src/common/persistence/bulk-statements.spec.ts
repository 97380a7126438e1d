import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { chunked, postgresArrayLiteral, rowsPerChunk, sqliteInstant, sqlValue } from './bulk-statements.js';

/** PostgreSQL's array input syntax for one dimension, as its docs give it: the reference to check against. */
function parseArrayLiteral(literal: string): (string | null)[] {
  expect(literal.startsWith('{') && literal.endsWith('}')).toBe(true);
  const body = literal.slice(1, -1);
  const items: (string | null)[] = [];
  let i = 0;
  while (i < body.length) {
    if (body.startsWith('NULL', i)) {
      items.push(null);
      i += 4;
    } else {
      expect(body[i]).toBe('"');
      let text = '';
      for (i++; body[i] !== '"'; i++) {
        if (body[i] === '\\') {
          i++;
        }
        expect(i).toBeLessThan(body.length);
        text += body[i];
      }
      items.push(text);
      i++;
    }
    if (i < body.length) {
      expect(body[i]).toBe(',');
      i++;
    }
  }
  return items;
}

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

  it('writes PostgreSQL array literals that read back as the same strings and NULLs', () => {
    expect(postgresArrayLiteral(['a', 'say "hi"', 'C:\\dir', null])).toBe(
      '{"a","say \\"hi\\"","C:\\\\dir",NULL}',
    );
    expect(postgresArrayLiteral([])).toBe('{}');
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'binary' }), { nil: null })), (values) => {
        expect(parseArrayLiteral(postgresArrayLiteral(values))).toEqual(values);
      }),
    );
    const nasty = ['NULL', '', ' ', 'a,b', '{x}', '\\', '"', 'end\\'];
    expect(parseArrayLiteral(postgresArrayLiteral(nasty))).toEqual(nasty);
  });

  it('hands each driver its own booleans and instants', () => {
    expect(sqlValue(false, 'boolean', true)).toBe(1);
    expect(sqlValue(true, 'boolean', true)).toBe(true);
    expect(sqlValue(true, 'instant', new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(sqlValue(false, 'instant', null)).toBeNull();
  });
});
