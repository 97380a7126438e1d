import { describe, expect, it, jest } from '@jest/globals';
import { FakeExpressResponse, FakeFastifyReply, FakeServerResponse } from '../../../testing/http-fakes.js';
import { sendJson, setResponseHeader } from './http-reply.js';

describe('setResponseHeader', () => {
  it('uses header() where the platform has it (Express, Fastify)', () => {
    for (const response of [new FakeExpressResponse(), new FakeFastifyReply()]) {
      const header = jest.spyOn(response, 'header');
      setResponseHeader(response, 'Retry-After', '5');
      expect(header).toHaveBeenCalledWith('Retry-After', '5');
      expect(response.getHeader('Retry-After')).toBe('5');
    }
  });

  it('falls back to setHeader() on a bare ServerResponse', () => {
    const response = new FakeServerResponse();
    setResponseHeader(response, 'Retry-After', '5');
    expect(response.getHeader('retry-after')).toBe('5');
  });

  it('does nothing on an object that can hold no header', () => {
    expect(() => setResponseHeader({}, 'Retry-After', '5')).not.toThrow();
  });
});

describe('sendJson', () => {
  it('answers on Express with status() and json()', () => {
    const response = new FakeExpressResponse();
    const json = jest.spyOn(response, 'json');
    sendJson(response, 404, { message: 'Not found.' });
    expect(response.statusCode).toBe(404);
    expect(json).toHaveBeenCalledWith({ message: 'Not found.' });
    expect(response.body).toEqual({ message: 'Not found.' });
  });

  it('answers on Fastify with code() and send(), although a reply has status() too', () => {
    const response = new FakeFastifyReply();
    const code = jest.spyOn(response, 'code');
    sendJson(response, 429, { success: 0, error: 'Slow.' });
    expect(code).toHaveBeenCalledWith(429);
    expect(response.statusCode).toBe(429);
    expect(response.body).toEqual({ success: 0, error: 'Slow.' });
  });

  it('sets every header before the body goes out', () => {
    for (const response of [new FakeExpressResponse(), new FakeFastifyReply()]) {
      sendJson(response, 429, {}, { 'Retry-After': '2', 'X-Other': 'y' });
      expect(response.headers).toEqual({ 'retry-after': '2', 'x-other': 'y' });
    }
  });

  it('says so when the response belongs to neither platform', () => {
    expect(() => sendJson(new FakeServerResponse(), 500, {})).toThrow(/neither Express nor Fastify/);
  });
});
