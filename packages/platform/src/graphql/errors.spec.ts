import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from './error-codes';
import {
  badInput,
  conflict,
  domainError,
  errorCodeOf,
  forbidden,
  notFound,
  rateLimited,
  unauthenticated,
} from './errors';

describe('error helpers', () => {
  it('build GraphQL errors with code and field', () => {
    const cases: [GraphQLError, string, string | null, string][] = [
      [badInput('input.email', 'Invalid email'), 'BAD_USER_INPUT', 'input.email', 'Invalid email'],
      [unauthenticated(), 'UNAUTHENTICATED', null, 'Authentication required'],
      [forbidden('Only the organizer'), 'FORBIDDEN', null, 'Only the organizer'],
      [notFound('Event', 'eventId'), 'NOT_FOUND', 'eventId', 'Event not found'],
      [
        conflict('Email already registered', 'input.email'),
        'CONFLICT',
        'input.email',
        'Email already registered',
      ],
      [
        domainError(ErrorCode.SOLD_OUT, 'Sold out', 'input.ticketTypeId'),
        'SOLD_OUT',
        'input.ticketTypeId',
        'Sold out',
      ],
    ];
    for (const [error, code, field, message] of cases) {
      expect(error).toBeInstanceOf(GraphQLError);
      expect(error.message).toBe(message);
      expect(error.extensions).toEqual({ code, field });
      expect(errorCodeOf(error)).toBe(code);
    }
  });

  it('rateLimited carries a whole retryAfter in seconds', () => {
    expect(rateLimited(undefined, 2.2).extensions).toEqual({
      code: 'RATE_LIMITED',
      field: null,
      retryAfter: 3,
    });
    expect(rateLimited('slow down').extensions).toEqual({ code: 'RATE_LIMITED', field: null });
  });

  it('extra extensions never override code and field', () => {
    const error = domainError('CONFLICT', 'x', 'f', { code: 'OTHER', field: 'g', version: 3 });
    expect(error.extensions).toEqual({ code: 'CONFLICT', field: 'f', version: 3 });
  });

  it('errorCodeOf ignores non-GraphQL errors', () => {
    expect(errorCodeOf(new Error('boom'))).toBeUndefined();
    expect(errorCodeOf('text')).toBeUndefined();
  });
});
