/**
 * The stable `extensions.code` values every subgraph and the gateway answer with. Clients branch on
 * these, so a code is never renamed; new ones are added at the end.
 */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  SOLD_OUT: 'SOLD_OUT',
  HOLD_EXPIRED: 'HOLD_EXPIRED',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** A dependency the operation cannot safely proceed without is down; retry after `retryAfter`. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** The payment provider failed; nothing was charged and the same request may be retried. */
  PAYMENT_PROVIDER_ERROR: 'PAYMENT_PROVIDER_ERROR',
  /** The service is too busy to do this soon; nothing was done: retry after `extensions.retryAfterMs`. */
  TRY_AGAIN: 'TRY_AGAIN',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Codes Apollo Server itself produces for documents it refuses before execution; they are safe to
 * show in production because their messages describe the request, not the server.
 */
export const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);
