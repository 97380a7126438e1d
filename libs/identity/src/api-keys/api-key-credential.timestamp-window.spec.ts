import { describe, expect, it } from '@jest/globals';
import { IdentityError, IdentityErrorCode } from '../common/errors/identity-error.js';
import { readApiKeyCredential } from './api-key-credential.js';

// The window is written out here on purpose (300 s, as DESIGN.md and Regpack say): a spec that derives
// its edges from the constant under test cannot notice the constant changing.
const NOW_SECONDS = 1_705_320_000; // 2024-01-15T12:00:00Z
const NOW = NOW_SECONDS * 1000;
const KEY = 'idk_3kTMd9Qx7ZbLw2YfPq0a';

function read(timestamp: string) {
  return () => readApiKeyCredential({ 'api-id': 'key-1', 'api-token': KEY, timestamp }, NOW);
}

function expectRefused(call: () => unknown): void {
  expect(call).toThrow(IdentityError);
  expect(call).toThrow(expect.objectContaining({ code: IdentityErrorCode.Unauthenticated }));
}

describe('Regpack Timestamp window (literal edges)', () => {
  it.each([-300, -1, 0, 1, 300])('accepts a Timestamp %i s from now in Unix seconds', (offset) => {
    expect(read(String(NOW_SECONDS + offset))().secret).toBe(KEY);
  });

  it.each([-301, 301, -3000, 3000, -86_400])(
    'refuses a Timestamp %i s from now in Unix seconds',
    (offset) => {
      expectRefused(read(String(NOW_SECONDS + offset)));
    },
  );

  it('accepts 300,000 ms either side and refuses 300,001 ms, in Unix milliseconds', () => {
    expect(read('1705319700000')().secret).toBe(KEY);
    expect(read('1705320300000')().secret).toBe(KEY);
    expectRefused(read('1705319699999'));
    expectRefused(read('1705320300001'));
  });

  it('accepts 5 minutes either side and refuses 5 minutes and 1 second, in ISO 8601', () => {
    expect(read('2024-01-15T11:55:00Z')().secret).toBe(KEY);
    expect(read('2024-01-15T14:05:00+02:00')().secret).toBe(KEY);
    expectRefused(read('2024-01-15T11:54:59Z'));
    expectRefused(read('2024-01-15T12:05:01.000Z'));
  });
});
