import { describe, expect, it } from '@jest/globals';
import { IdentityError } from '../common/errors/identity-error.js';
import { normalizeError } from '../common/http/surface-exception.filter.js';
import { detailsOf } from './external-users.exception-filter.js';

describe(detailsOf.name, () => {
  it('gives each named field its own problems, whichever way the line names it', () => {
    const error = normalizeError(
      IdentityError.validation(
        'name must be longer than or equal to 3 characters; name must be a string; tierId: must be a UUID; nameless: x',
        ['name', 'tierId'],
      ),
    );
    expect(detailsOf(error)).toEqual([
      { field: 'name', message: 'name must be longer than or equal to 3 characters; name must be a string' },
      { field: 'tierId', message: 'tierId: must be a UUID' },
    ]);
  });

  it('says a field is invalid when no line describes it, and lists nothing for an unreadable body', () => {
    expect(detailsOf(normalizeError(IdentityError.validation('something else', ['id'])))).toEqual([
      { field: 'id', message: 'id is invalid' },
    ]);
    expect(detailsOf(normalizeError(IdentityError.validation('Unexpected token')))).toEqual([]);
  });
});
