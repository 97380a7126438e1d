import { describe, expect, it, jest } from '@jest/globals';
import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { RESPONSE_PLATFORMS, silenceLoggedErrors } from '../../../testing/filter-specs.js';
import { FakeExpressResponse, FakeFastifyReply, httpContext } from '../../../testing/http-fakes.js';
import { IdentityError, IdentityErrorCode, IdentityErrorReason } from '../errors/identity-error.js';
import { type NormalizedError, normalizeError, SurfaceExceptionFilter } from './surface-exception.filter.js';

const SECRET = 'password=hunter2 at db.internal:5432';

function queryFailed(code: string): QueryFailedError {
  return new QueryFailedError(
    'INSERT INTO t VALUES ($1)',
    [SECRET],
    Object.assign(new Error(SECRET), { code }),
  );
}

/** A body-parser error as Express hands it over: an Error with `status`, `statusCode` and `type`. */
function bodyParserError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, type, expose: status < 500 });
}

describe('normalizeError', () => {
  describe('IdentityError', () => {
    it('keeps code, reason, description and fields', () => {
      expect(normalizeError(IdentityError.validation('name: too long', ['name']))).toEqual({
        status: 400,
        code: IdentityErrorCode.Validation,
        reason: IdentityErrorReason.InvalidInput,
        description: 'name: too long',
        fields: ['name'],
      });
    });

    it('keeps the seconds to wait of a 429', () => {
      const error = IdentityError.tooManyRequests(IdentityErrorReason.TooManyFailures, 'Wait.', 12);
      expect(normalizeError(error)).toMatchObject({
        status: 429,
        code: IdentityErrorCode.RateLimited,
        reason: IdentityErrorReason.TooManyFailures,
        retryAfterSeconds: 12,
      });
    });

    it('keeps a domain reason of a 403 and a 404', () => {
      expect(
        normalizeError(IdentityError.forbidden(IdentityErrorReason.WrongEnvironment, 'No.')),
      ).toMatchObject({
        status: 403,
        reason: IdentityErrorReason.WrongEnvironment,
      });
      expect(
        normalizeError(IdentityError.notFound('Rotated.', IdentityErrorReason.TokenNotCurrent)),
      ).toMatchObject({
        status: 404,
        code: IdentityErrorCode.NotFound,
        reason: IdentityErrorReason.TokenNotCurrent,
      });
    });
  });

  describe('HttpException', () => {
    it.each([
      [new BadRequestException('bad'), 400, IdentityErrorCode.Validation, IdentityErrorReason.InvalidInput],
      [new UnauthorizedException(), 401, IdentityErrorCode.Unauthenticated, IdentityErrorReason.InvalidInput],
      [new ForbiddenException(), 403, IdentityErrorCode.Forbidden, IdentityErrorReason.InvalidInput],
      [new NotFoundException(), 404, IdentityErrorCode.NotFound, IdentityErrorReason.NotFound],
      [new ConflictException(), 409, IdentityErrorCode.Conflict, IdentityErrorReason.InvalidInput],
      [new HttpException('slow', 429), 429, IdentityErrorCode.RateLimited, IdentityErrorReason.InvalidInput],
      [new PayloadTooLargeException(), 413, IdentityErrorCode.Validation, IdentityErrorReason.InvalidInput],
      [new HttpException('teapot', 418), 418, IdentityErrorCode.Validation, IdentityErrorReason.InvalidInput],
      [new HttpException('boom', 500), 500, IdentityErrorCode.Internal, IdentityErrorReason.InvalidInput],
      [new ServiceUnavailableException(), 503, IdentityErrorCode.Internal, IdentityErrorReason.InvalidInput],
    ])('maps %p to its status and a code', (exception, status, code, reason) => {
      expect(normalizeError(exception)).toMatchObject({ status, code, reason });
    });

    it('describes it by its message, joining a validation pipe’s list of messages', () => {
      expect(
        normalizeError(new BadRequestException(['name must be a string', 'id is empty'])).description,
      ).toBe('name must be a string; id is empty');
      expect(normalizeError(new NotFoundException('Cannot GET /nope')).description).toBe('Cannot GET /nope');
      expect(normalizeError(new HttpException('plain text', HttpStatus.BAD_REQUEST)).description).toBe(
        'plain text',
      );
    });
  });

  describe('database refusals', () => {
    it.each(['22021', '22P05', '22001', '22003', '22P02', '22007', '22008'])(
      'turns PostgreSQL client-data error %s into 400 UnstorableValue without the driver’s text',
      (code) => {
        const error = normalizeError(queryFailed(code));
        expect(error).toMatchObject({
          status: 400,
          code: IdentityErrorCode.Validation,
          reason: IdentityErrorReason.UnstorableValue,
        });
        expect(JSON.stringify(error)).not.toContain('hunter2');
      },
    );

    it('keeps any other database failure a 500 (a unique violation, a syntax error, no code)', () => {
      for (const code of ['23505', '42601']) {
        expect(normalizeError(queryFailed(code))).toMatchObject({
          status: 500,
          code: IdentityErrorCode.Internal,
        });
      }
      const noCode = new QueryFailedError('SELECT 1', [], new Error(SECRET));
      expect(normalizeError(noCode).status).toBe(500);
    });

    it.each([
      ['a backend terminated mid-statement (57P01)', queryFailed('57P01')],
      ['a connection failure (08006)', queryFailed('08006')],
      ['a server still starting up (57P03)', queryFailed('57P03')],
      [
        'a connection that broke between statements',
        new QueryFailedError('COMMIT', [], new Error('Connection terminated unexpectedly')),
      ],
      [
        'a refused connect',
        Object.assign(new Error(`connect ECONNREFUSED ${SECRET}`), { code: 'ECONNREFUSED' }),
      ],
    ])('turns %s into 503 with Retry-After, without the driver’s text', (_case, exception) => {
      const error = normalizeError(exception);
      expect(error).toMatchObject({
        status: 503,
        code: IdentityErrorCode.Unavailable,
        reason: IdentityErrorReason.DatabaseUnavailable,
        retryAfterSeconds: expect.any(Number),
      });
      expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(JSON.stringify(error)).not.toContain('hunter2');
    });
  });

  describe('body-parser errors', () => {
    it.each([
      [400, 'entity.parse.failed', 'Unexpected token } in JSON at position 9'],
      [413, 'entity.too.large', 'the body is larger than this server accepts.'],
      [415, 'charset.unsupported', 'unsupported charset "UTF-7"'],
    ])('keeps its %i as UnreadableBody', (status, type, message) => {
      expect(normalizeError(bodyParserError(status, type, message))).toEqual({
        status,
        code: IdentityErrorCode.Validation,
        reason: IdentityErrorReason.UnreadableBody,
        description: message,
      });
    });

    it('does not trust a 5xx from an error that looks like one', () => {
      expect(normalizeError(bodyParserError(500, 'stream.not.readable', SECRET))).toMatchObject({
        status: 500,
        description: 'Internal server error.',
      });
    });
  });

  describe('anything else', () => {
    it.each([
      ['an Error', new Error(SECRET)],
      ['a TypeError', new TypeError(`Cannot read properties of undefined (${SECRET})`)],
      ['a string', SECRET],
      ['an object with a status only', { status: 400, message: SECRET }],
      ['null', null],
      ['undefined', undefined],
    ])('answers %s with a bare 500 that leaks nothing', (_name, exception) => {
      const error = normalizeError(exception);
      expect(error).toEqual({
        status: 500,
        code: IdentityErrorCode.Internal,
        reason: IdentityErrorReason.Internal,
        description: 'Internal server error.',
      });
    });
  });
});

/** A filter whose body shows everything it was given, to see what reaches a subclass. */
class EchoFilter extends SurfaceExceptionFilter {
  protected body(error: NormalizedError): Record<string, unknown> {
    return { ...error };
  }
}

describe(SurfaceExceptionFilter.name, () => {
  const logged = silenceLoggedErrors();

  for (const [platform, make] of RESPONSE_PLATFORMS) {
    it(`answers on ${platform} with the error’s status, the subclass’s body and Retry-After`, () => {
      const response = make();
      new EchoFilter().catch(
        IdentityError.tooManyRequests(IdentityErrorReason.RateLimited, 'Slow.', 3),
        httpContext({ response }),
      );
      expect(response.statusCode).toBe(429);
      expect(response.body).toMatchObject({ status: 429, reason: IdentityErrorReason.RateLimited });
      expect(response.getHeader('Retry-After')).toBe('3');
    });
  }

  it('sets no Retry-After on an error without a wait', () => {
    const response = new FakeExpressResponse();
    new EchoFilter().catch(IdentityError.validation('bad', ['a']), httpContext({ response }));
    expect(response.statusCode).toBe(400);
    expect(response.headers).toEqual({});
  });

  it('logs an unexpected error with its stack, and only on the server', () => {
    const response = new FakeExpressResponse();
    new EchoFilter().catch(new Error(SECRET), httpContext({ response }));
    expect(response.statusCode).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('hunter2');
    expect(logged()).toHaveBeenCalledTimes(1);
    expect(String(logged().mock.calls[0][0])).toContain(SECRET);
  });

  it('logs a lost database connection as one warning line, without a stack (a restart makes many)', () => {
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const response = new FakeExpressResponse();
      new EchoFilter().catch(
        new QueryFailedError('COMMIT', [], new Error('Connection terminated unexpectedly')),
        httpContext({ response }),
      );
      expect(response.statusCode).toBe(503);
      expect(logged()).not.toHaveBeenCalled();
      expect(warned).toHaveBeenCalledTimes(1);
      expect(String(warned.mock.calls[0][0])).not.toContain('\n    at ');
    } finally {
      warned.mockRestore();
    }
  });

  it('does not log client errors', () => {
    new EchoFilter().catch(new NotFoundException(), httpContext({ response: new FakeFastifyReply() }));
    expect(logged()).not.toHaveBeenCalled();
  });
});
