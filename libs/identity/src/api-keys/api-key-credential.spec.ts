import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { IdentityError, IdentityErrorCode } from '../common/errors/identity-error.js';
import { parseTimestamp, readApiKeyCredential, TIMESTAMP_WINDOW_MS } from './api-key-credential.js';

const NOW = Date.UTC(2024, 0, 15, 12, 0, 0); // a whole second, so Unix seconds can hit the window edge exactly
const KEY = 'idk_3kTMd9Qx7ZbLw2YfPq0a';

function regpack(timestamp: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'api-id': 'key-1', 'api-token': KEY, timestamp, ...extra };
}

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}

function expectUnauthenticated(fn: () => unknown): void {
  const err = caught(fn);
  expect(err).toBeInstanceOf(IdentityError);
  expect((err as IdentityError).code).toBe(IdentityErrorCode.Unauthenticated);
  expect((err as IdentityError).getStatus()).toBe(401);
}

describe('readApiKeyCredential', () => {
  describe('Authorization header', () => {
    it('reads the key from "Token <key>" (Explo)', () => {
      expect(readApiKeyCredential({ authorization: `Token ${KEY}` })).toEqual({ secret: KEY });
    });

    it('reads the key from "Bearer <key>"', () => {
      expect(readApiKeyCredential({ authorization: `Bearer ${KEY}` })).toEqual({ secret: KEY });
    });

    it('reads a bare key (Dixa, Zaia)', () => {
      expect(readApiKeyCredential({ authorization: KEY })).toEqual({ secret: KEY });
    });

    it('accepts the scheme in any case and tolerates surrounding whitespace', () => {
      expect(readApiKeyCredential({ authorization: `  bearer   ${KEY}  ` })).toEqual({ secret: KEY });
      expect(readApiKeyCredential({ authorization: `TOKEN ${KEY}` })).toEqual({ secret: KEY });
    });

    it('uses the first value when the header is repeated', () => {
      expect(readApiKeyCredential({ authorization: [`Token ${KEY}`, 'Token other'] })).toEqual({
        secret: KEY,
      });
    });

    it('refuses a request without an Authorization header as unauthenticated', () => {
      expectUnauthenticated(() => readApiKeyCredential({}));
    });

    it('refuses an empty or blank Authorization header', () => {
      expectUnauthenticated(() => readApiKeyCredential({ authorization: '' }));
      expectUnauthenticated(() => readApiKeyCredential({ authorization: '   ' }));
    });

    it('refuses "Basic x y" and other values with more than one word after a scheme', () => {
      expectUnauthenticated(() => readApiKeyCredential({ authorization: 'Basic x y' }));
      expectUnauthenticated(() => readApiKeyCredential({ authorization: 'Basic dXNlcjpwYXNz' }));
      expectUnauthenticated(() => readApiKeyCredential({ authorization: `Token ${KEY} extra` }));
    });
  });

  describe('Regpack headers', () => {
    it('reads Api-token, Api-id and Api-user', () => {
      const credential = readApiKeyCredential(
        regpack(String(NOW / 1000), { 'api-user': '  jane@client.example  ' }),
        NOW,
      );
      expect(credential).toEqual({ secret: KEY, apiId: 'key-1', apiUser: 'jane@client.example' });
    });

    it('prefers the Regpack set over an Authorization header', () => {
      const credential = readApiKeyCredential(
        { ...regpack(String(NOW / 1000)), authorization: 'Token other' },
        NOW,
      );
      expect(credential.secret).toBe(KEY);
    });

    it('leaves apiUser out when Api-user is missing or blank, and caps it at 100 characters', () => {
      expect(readApiKeyCredential(regpack(String(NOW / 1000)), NOW).apiUser).toBeUndefined();
      expect(
        readApiKeyCredential(regpack(String(NOW / 1000), { 'api-user': '   ' }), NOW).apiUser,
      ).toBeUndefined();
      const long = readApiKeyCredential(regpack(String(NOW / 1000), { 'api-user': 'u'.repeat(150) }), NOW);
      expect(long.apiUser).toBe('u'.repeat(100));
    });

    it('refuses Api-token without Api-id or without Timestamp', () => {
      expectUnauthenticated(() =>
        readApiKeyCredential({ 'api-token': KEY, timestamp: String(NOW / 1000) }, NOW),
      );
      expectUnauthenticated(() => readApiKeyCredential({ 'api-token': KEY, 'api-id': 'key-1' }, NOW));
    });

    it('refuses a Timestamp it cannot read', () => {
      expectUnauthenticated(() => readApiKeyCredential(regpack('yesterday'), NOW));
      expectUnauthenticated(() => readApiKeyCredential(regpack('2024-13-45T99:99:99Z'), NOW));
    });

    it.each([
      ['Unix seconds', (ms: number) => String(ms / 1000)],
      ['Unix milliseconds', (ms: number) => String(ms)],
      ['ISO 8601', (ms: number) => new Date(ms).toISOString()],
    ])('accepts a Timestamp in %s exactly 5 minutes either side of now', (_form, format) => {
      for (const at of [NOW - TIMESTAMP_WINDOW_MS, NOW, NOW + TIMESTAMP_WINDOW_MS]) {
        expect(readApiKeyCredential(regpack(format(at)), NOW).secret).toBe(KEY);
      }
    });

    it.each([
      ['Unix seconds', (ms: number) => String(ms / 1000), 1000],
      ['Unix milliseconds', (ms: number) => String(ms), 1],
      ['ISO 8601', (ms: number) => new Date(ms).toISOString(), 1],
    ])('refuses a Timestamp in %s beyond 5 minutes either side of now', (_form, format, step) => {
      expectUnauthenticated(() =>
        readApiKeyCredential(regpack(format(NOW - TIMESTAMP_WINDOW_MS - step)), NOW),
      );
      expectUnauthenticated(() =>
        readApiKeyCredential(regpack(format(NOW + TIMESTAMP_WINDOW_MS + step)), NOW),
      );
    });
  });
});

describe('parseTimestamp', () => {
  it('reads Unix seconds, Unix milliseconds and ISO 8601 dates as milliseconds', () => {
    expect(parseTimestamp('1705320000')).toBe(1_705_320_000_000);
    expect(parseTimestamp(' 1705320000 ')).toBe(1_705_320_000_000);
    expect(parseTimestamp('1705320000123')).toBe(1_705_320_000_123);
    expect(parseTimestamp('2024-01-15T12:00:00.000Z')).toBe(1_705_320_000_000);
    expect(parseTimestamp('2024-01-15T13:00:00+01:00')).toBe(1_705_320_000_000);
  });

  it('returns undefined for anything else', () => {
    expect(parseTimestamp('')).toBeUndefined();
    expect(parseTimestamp('-1705320000')).toBeUndefined();
    expect(parseTimestamp('1705320000.5')).toBeUndefined();
    expect(parseTimestamp('2024-01-15')).toBeUndefined();
    expect(parseTimestamp('2024-01-15Tnonsense')).toBeUndefined();
    // without an offset the instant would depend on the server's time zone
    expect(parseTimestamp('2024-01-15T12:00:00')).toBeUndefined();
    expect(parseTimestamp('1'.repeat(15))).toBeUndefined();
  });

  it('never throws, and returns either undefined or a finite number, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
        const at = parseTimestamp(text);
        expect(at === undefined || Number.isFinite(at)).toBe(true);
      }),
    );
  });

  it('reads every whole number of seconds up to 11 digits back as that many milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (seconds) => {
        expect(parseTimestamp(String(seconds))).toBe(seconds * 1000);
      }),
    );
  });

  it('reads any ISO string of a date back to the same instant', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        (d) => {
          expect(parseTimestamp(d.toISOString())).toBe(d.getTime());
        },
      ),
    );
  });
});
