import { describe, expect, it } from '@jest/globals';
import { NotFoundException } from '@nestjs/common';
import { describeOnEachPlatform, silenceLoggedErrors } from '../../testing/filter-specs.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { ManagementExceptionFilter } from './management.exception-filter.js';

describe(ManagementExceptionFilter.name, () => {
  silenceLoggedErrors();

  describeOnEachPlatform(
    () => new ManagementExceptionFilter(),
    (answer) => {
      it('answers { message } with the error’s status', () => {
        const response = answer(IdentityError.notFound('API key not found.'));
        expect(response.statusCode).toBe(404);
        expect(response.body).toEqual({ message: 'API key not found.' });
      });

      it('lists the offending fields of invalid input', () => {
        const response = answer(IdentityError.validation('scope must be read or write', ['scope']));
        expect(response.statusCode).toBe(400);
        expect(response.body).toEqual({
          message: 'Invalid data provided: scope must be read or write',
          fields: ['scope'],
        });
      });

      it('leaves fields out when none are named', () => {
        expect(answer(IdentityError.validation('bad', [])).body).toEqual({
          message: 'Invalid data provided: bad',
        });
      });

      it('answers a 429 with Retry-After', () => {
        const response = answer(
          IdentityError.tooManyRequests(IdentityErrorReason.RateLimited, 'Slow down.', 1),
        );
        expect(response.statusCode).toBe(429);
        expect(response.getHeader('retry-after')).toBe('1');
        expect(response.body).toEqual({ message: 'Slow down.' });
      });

      it('answers a 401 in its own words', () => {
        const response = answer(IdentityError.unauthenticated('Invalid API key.'));
        expect(response.statusCode).toBe(401);
        expect(response.body).toEqual({ message: 'Invalid API key.' });
      });

      it('answers Nest’s 404 and an unexpected error in the same shape, leaking nothing', () => {
        expect(answer(new NotFoundException('Cannot GET /identity/nope')).body).toEqual({
          message: 'Cannot GET /identity/nope',
        });
        const response = answer(new Error('SELECT secret FROM vault'));
        expect(response.statusCode).toBe(500);
        expect(response.body).toEqual({ message: 'Internal server error.' });
      });
    },
  );
});
