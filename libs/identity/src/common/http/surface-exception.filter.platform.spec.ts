import { describe, expect, it } from '@jest/globals';
import { BadRequestException, HttpException } from '@nestjs/common';
import { IdentityErrorCode, IdentityErrorReason } from '../errors/identity-error.js';
import { normalizeError } from './surface-exception.filter.js';

/** An http-errors object as body-parser, raw-body and Express's middleware raise them. */
function httpError(status: number, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: status < 500, ...extra });
}

/** A FastifyError as Fastify's content-type parser and router raise them. */
function fastifyError(code: string, status: number, message: string): Error {
  return Object.assign(new Error(message), { name: 'FastifyError', code, statusCode: status });
}

/** A zlib failure: Node's own error, with the status a body parser attached (or none). */
function zlibError(extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR', errno: -3, ...extra });
}

describe('normalizeError on errors of the HTTP platform', () => {
  it.each([
    ['body-parser: malformed JSON', httpError(400, 'Unexpected token', { type: 'entity.parse.failed' }), 400],
    ['body-parser: too large', httpError(413, 'request entity too large', { type: 'entity.too.large' }), 413],
    ['body-parser: unknown encoding', httpError(415, 'unsupported', { type: 'encoding.unsupported' }), 415],
    [
      'body-parser: gzip that does not decode',
      zlibError({ status: 400, statusCode: 400, expose: true }),
      400,
    ],
    [
      'Fastify: malformed JSON',
      fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', 400, 'Body is not valid JSON'),
      400,
    ],
    ['Fastify: too large', fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large'), 413],
    [
      'Fastify: unsupported type',
      fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'Unsupported Media Type'),
      415,
    ],
    ['Fastify: gzip that does not decode', zlibError({ statusCode: 400 }), 400],
  ])('reads %s as an unreadable body with its own status', (_case, error, status) => {
    expect(normalizeError(error)).toMatchObject({
      status,
      code: IdentityErrorCode.Validation,
      reason: IdentityErrorReason.UnreadableBody,
    });
  });

  it('gives a too-large body one wording on every platform', () => {
    const express = normalizeError(httpError(413, 'request entity too large', { type: 'entity.too.large' }));
    const fastify = normalizeError(
      fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large'),
    );
    expect(express.description).toBe(fastify.description);
  });

  it('says which header a body that does not decode contradicts', () => {
    expect(normalizeError(zlibError({ statusCode: 400 })).description).toContain('Content-Encoding');
  });

  it.each([
    ["Express's router", Object.assign(new URIError("Failed to decode param '%zz'"), { status: 400 })],
    ["Fastify's router", fastifyError('FST_ERR_BAD_URL', 400, "'/a/%zz' is not a valid url component")],
  ])('reads a bad percent-escape from %s as invalid input (400)', (_case, error) => {
    expect(normalizeError(error)).toMatchObject({
      status: 400,
      code: IdentityErrorCode.Validation,
      reason: IdentityErrorReason.InvalidInput,
      description: expect.stringContaining('percent-escape'),
    });
  });

  it('reads the platform error Nest wrapped in an HttpException as its cause', () => {
    const cause = fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, 'Request body is too large');
    const wrapped = new HttpException(cause.message, 413, { cause });
    expect(normalizeError(wrapped)).toMatchObject({
      status: 413,
      reason: IdentityErrorReason.UnreadableBody,
    });
  });

  it('keeps an HttpException without a platform cause as it was', () => {
    expect(normalizeError(new BadRequestException('nope'))).toMatchObject({
      status: 400,
      reason: IdentityErrorReason.InvalidInput,
      description: 'nope',
    });
  });

  it('shows only the status text of an http-error that must not be exposed', () => {
    const error = httpError(400, 'secret internals', { expose: false, type: 'entity.verify.failed' });
    expect(normalizeError(error).description).toBe('Bad Request');
  });

  it('answers 500 for a library error that merely carries a status, and for a 5xx platform error', () => {
    const upstream = Object.assign(new Error('upstream said 404: internal url'), { status: 404 });
    expect(normalizeError(upstream)).toMatchObject({ status: 500, code: IdentityErrorCode.Internal });
    expect(normalizeError(httpError(500, 'EACCES'))).toMatchObject({ status: 500 });
  });
});
