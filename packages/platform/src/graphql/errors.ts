import { GraphQLError } from 'graphql';
import { ErrorCode } from './error-codes';

/**
 * Extensions every error built here carries. `field` names the offending input as a dotted path
 * from the operation's arguments (`input.email`, `input.items.0.quantity`), or is null when the
 * error is not about one field.
 */
export interface AppErrorExtensions {
  code: string;
  field: string | null;
  [key: string]: unknown;
}

/** A GraphQL error with `extensions.code` and `extensions.field` (and any extra public extensions). */
export function domainError(
  code: string,
  message: string,
  field?: string | null,
  extra: Record<string, unknown> = {},
): GraphQLError {
  const extensions: AppErrorExtensions = { ...extra, code, field: field ?? null };
  return new GraphQLError(message, { extensions });
}

/** Bad input: the operation changed nothing. `field` is the dotted argument path, e.g. `input.email`. */
export function badInput(field: string, message: string): GraphQLError {
  return domainError(ErrorCode.BAD_USER_INPUT, message, field);
}

/** No valid session: missing, expired or otherwise unacceptable access token. */
export function unauthenticated(message = 'Authentication required'): GraphQLError {
  return domainError(ErrorCode.UNAUTHENTICATED, message);
}

/** A valid session without the right to do this. */
export function forbidden(message = 'Not allowed', field?: string): GraphQLError {
  return domainError(ErrorCode.FORBIDDEN, message, field);
}

/** `what` is a human noun ("Event", "Ticket"); the message never echoes ids the caller may not see. */
export function notFound(what: string, field?: string): GraphQLError {
  return domainError(ErrorCode.NOT_FOUND, `${what} not found`, field);
}

/** The request clashes with the current state (taken email, stale version, already used...). */
export function conflict(message: string, field?: string): GraphQLError {
  return domainError(ErrorCode.CONFLICT, message, field);
}

/** Too many attempts; `retryAfterSeconds` tells the client when to try again. */
export function rateLimited(
  message = 'Too many attempts, try again later',
  retryAfterSeconds?: number,
): GraphQLError {
  return domainError(
    ErrorCode.RATE_LIMITED,
    message,
    null,
    retryAfterSeconds === undefined ? {} : { retryAfter: Math.max(0, Math.ceil(retryAfterSeconds)) },
  );
}

/** The `extensions.code` of any thrown value, when it is a GraphQL error that has one. */
export function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof GraphQLError && typeof error.extensions?.code === 'string')
    return error.extensions.code;
  return undefined;
}
