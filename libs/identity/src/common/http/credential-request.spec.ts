import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { fakeRequest } from '../../../testing/http-fakes.js';
import {
  clientOf,
  type CredentialRequest,
  headerValue,
  readAuthorization,
  readQueryCredential,
} from './credential-request.js';

const withAuthorization = (value: string | string[] | undefined): CredentialRequest => ({
  headers: { authorization: value },
});

/** A credential as clients send them: one word of printable characters. */
const word = fc.stringMatching(/^[!-~]{1,60}$/);
/** Whitespace as a header may carry it around and between words. */
const space = fc.stringMatching(/^[ \t]{1,3}$/);
/** One of the two schemes, in any case. */
const scheme = fc
  .tuple(fc.constantFrom('Token', 'Bearer'), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }))
  .map(([name, upper]) => [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));
/** Anything a client could put in the header, including nothing, several values and odd characters. */
const anyHeader = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.constant(undefined),
  fc.tuple(scheme, space, fc.string()).map((parts) => parts.join('')),
);

describe('readAuthorization', () => {
  it('never throws, and returns either nothing or one non-empty word from the header', () => {
    fc.assert(
      fc.property(anyHeader, fc.boolean(), (header, allowBare) => {
        const request = withAuthorization(header);
        const credential = readAuthorization(request, allowBare);
        if (credential !== undefined) {
          expect(credential).toMatch(/^\S+$/);
          expect(headerValue(request, 'authorization')).toContain(credential);
        }
      }),
    );
  });

  it('returns exactly what follows a Token or Bearer scheme, in any case and spacing', () => {
    fc.assert(
      fc.property(
        scheme,
        word,
        space,
        space,
        space,
        fc.boolean(),
        (s, token, before, between, after, allowBare) => {
          expect(
            readAuthorization(withAuthorization(`${before}${s}${between}${token}${after}`), allowBare),
          ).toBe(token);
        },
      ),
    );
  });

  it('returns a bare one-word header only when bare tokens are allowed', () => {
    fc.assert(
      fc.property(word, (token) => {
        expect(readAuthorization(withAuthorization(` ${token} `), true)).toBe(token);
        expect(readAuthorization(withAuthorization(token), false)).toBeUndefined();
      }),
    );
  });

  it('returns nothing for another scheme or more than one word after the scheme', () => {
    fc.assert(
      fc.property(word, word, fc.boolean(), (a, b, allowBare) => {
        expect(readAuthorization(withAuthorization(`Basic ${a}`), allowBare)).toBeUndefined();
        expect(readAuthorization(withAuthorization(`Token ${a} ${b}`), allowBare)).toBeUndefined();
        expect(readAuthorization(withAuthorization(`${a} ${b}`), allowBare)).toBeUndefined();
      }),
    );
  });

  it('returns nothing for a missing, empty or blank header', () => {
    for (const header of [undefined, '', '   ', [], ['']]) {
      expect(readAuthorization(withAuthorization(header), true)).toBeUndefined();
    }
  });

  it('reads the first value of a repeated header', () => {
    expect(readAuthorization(withAuthorization(['Token first', 'Token second']))).toBe('first');
  });
});

describe('headerValue', () => {
  it('reads a header by its lower-case name, the first value when repeated', () => {
    const request = fakeRequest({ headers: { 'Api-Token': ['a', 'b'], Timestamp: '1' } });
    expect(headerValue(request, 'api-token')).toBe('a');
    expect(headerValue(request, 'timestamp')).toBe('1');
    expect(headerValue(request, 'api-id')).toBeUndefined();
  });
});

describe('readQueryCredential', () => {
  it('reads a non-empty string parameter', () => {
    expect(readQueryCredential(fakeRequest({ query: { token: 'ugt_x' } }), 'token')).toBe('ugt_x');
  });

  it('reads nothing from an empty, repeated, nested or missing parameter, or without a query', () => {
    for (const query of [{ token: '' }, { token: ['a', 'b'] }, { token: { a: 'b' } }, {}]) {
      expect(readQueryCredential(fakeRequest({ query }), 'token')).toBeUndefined();
    }
    expect(readQueryCredential({ headers: {} }, 'token')).toBeUndefined();
  });

  it('never throws, whatever the query holds', () => {
    fc.assert(
      fc.property(fc.anything(), (query) => {
        const credential = readQueryCredential({ headers: {}, query }, 'token');
        expect(credential === undefined || (typeof credential === 'string' && credential.length > 0)).toBe(
          true,
        );
      }),
    );
  });
});

describe('clientOf', () => {
  it('names the client by the address the platform reports, else the socket’s, else unknown', () => {
    expect(clientOf({ headers: {}, ip: '203.0.113.9', socket: { remoteAddress: '10.0.0.1' } })).toBe(
      'ip:203.0.113.9',
    );
    expect(clientOf({ headers: {}, socket: { remoteAddress: '10.0.0.1' } })).toBe('ip:10.0.0.1');
    expect(clientOf({ headers: {} })).toBe('ip:unknown');
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4', () => {
    const ip = (address: string) => clientOf({ headers: {}, ip: address });
    expect(ip('2001:db8:1:2::7')).toBe('ip:2001:db8:1:2::/64');
    expect(ip('2001:0db8:0001:0002:ffff:1:2:3')).toBe('ip:2001:db8:1:2::/64');
    expect(ip('2001:db8::1')).toBe('ip:2001:db8:0:0::/64');
    expect(ip('::1')).toBe('ip:0:0:0:0::/64');
    expect(ip('fe80::1%eth0')).toBe('ip:fe80:0:0:0::/64');
    expect(ip('::ffff:198.51.100.7')).toBe('ip:198.51.100.7');
    expect(ip('2001:db8:1:2::7')).toBe(ip('2001:db8:1:2:aaaa:bbbb:cccc:dddd'));
    expect(ip('2001:db8:1:2::7')).not.toBe(ip('2001:db8:1:3::7'));
  });
});
