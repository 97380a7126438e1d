import { describe, expect, it } from '@jest/globals';
import { BadRequestException, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { describeOnEachPlatform, silenceLoggedErrors } from '../../testing/filter-specs.js';
import { IdentityError, IdentityErrorReason } from '../common/errors/identity-error.js';
import { UserGroupsExceptionFilter } from './user-groups.exception-filter.js';

describe(UserGroupsExceptionFilter.name, () => {
  silenceLoggedErrors();

  describeOnEachPlatform(
    () => new UserGroupsExceptionFilter(),
    (answer) => {
      it('answers Explo’s { success: 0, error } with the error’s status', () => {
        const response = answer(IdentityError.notFound('User group not found.'));
        expect(response.statusCode).toBe(404);
        expect(response.body).toEqual({ success: 0, error: 'User group not found.' });
      });

      it('words invalid input as "Invalid data provided: …" and leaves the field list out', () => {
        const response = answer(IdentityError.validation('name must be a string', ['name']));
        expect(response.statusCode).toBe(400);
        expect(response.body).toEqual({ success: 0, error: 'Invalid data provided: name must be a string' });
      });

      it('words a value the database refused as invalid data', () => {
        const refused = new QueryFailedError(
          'INSERT',
          [],
          Object.assign(new Error('invalid byte'), { code: '22021' }),
        );
        const response = answer(refused);
        expect(response.statusCode).toBe(400);
        expect(response.body).toEqual({
          success: 0,
          error: 'Invalid data provided: a value contains characters or a size that cannot be stored.',
        });
      });

      it('words an unreadable body as such', () => {
        // as body-parser raises it (http-errors): status and statusCode, expose, type
        const malformed = Object.assign(new Error('Unexpected end of JSON input'), {
          status: 400,
          statusCode: 400,
          expose: true,
          type: 'entity.parse.failed',
        });
        expect(answer(malformed).body).toEqual({
          success: 0,
          error: 'The request body could not be read: Unexpected end of JSON input',
        });
      });

      it('answers a 429 with Retry-After', () => {
        const response = answer(
          IdentityError.tooManyRequests(
            IdentityErrorReason.TooManyFailures,
            'Too many failed credentials.',
            30,
          ),
        );
        expect(response.statusCode).toBe(429);
        expect(response.getHeader('Retry-After')).toBe('30');
        expect(response.body).toEqual({ success: 0, error: 'Too many failed credentials.' });
      });

      it('answers Nest’s own exceptions in the same shape', () => {
        expect(answer(new NotFoundException('Cannot GET /api/nope')).body).toEqual({
          success: 0,
          error: 'Cannot GET /api/nope',
        });
        expect(answer(new BadRequestException(['a is bad', 'b is bad'])).body).toEqual({
          success: 0,
          error: 'Invalid data provided: a is bad; b is bad',
        });
      });

      it('answers an unexpected error with a bare 500', () => {
        const response = answer(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
        expect(response.statusCode).toBe(500);
        expect(response.body).toEqual({ success: 0, error: 'Internal server error.' });
      });
    },
  );
});
