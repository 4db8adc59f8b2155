import { GraphQLError } from 'graphql';

/** Retry hint given with a subgraph that timed out or could not be reached. */
export const UNAVAILABLE_RETRY_AFTER_MS = 1_000;
/** Codes a subgraph's answer may carry that mean "retry later": passed through with their hint. */
const RETRYABLE_CODES = new Set(['TRY_AGAIN', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED']);
/** Codes a subgraph's 4xx answer may carry that blame the request (a body over its limit, not JSON...). */
const REQUEST_CODES = new Set(['BAD_USER_INPUT', 'BAD_REQUEST']);

interface SubgraphErrorBody {
  errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }>;
}

/** True when `error` (or its cause) is a timeout of the subgraph call (the fetch's AbortSignal.timeout). */
function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** True when the subgraph could not be reached at all (refused, reset, unknown host...). */
function isUnreachable(error: unknown): boolean {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : '';
  return (
    /^(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE|UND_ERR_SOCKET)$/.test(
      code,
    ) ||
    (error instanceof TypeError && error.message === 'fetch failed')
  );
}

function unavailable(serviceName: string, message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: 'SERVICE_UNAVAILABLE',
      field: null,
      serviceName,
      retryAfterMs: UNAVAILABLE_RETRY_AFTER_MS,
      retryAfter: Math.ceil(UNAVAILABLE_RETRY_AFTER_MS / 1000),
    },
  });
}

/**
 * What a failed subgraph call becomes for the client. A call that timed out or could not connect is
 * `SERVICE_UNAVAILABLE` naming the subgraph (the work may or may not have happened: a checkout is retried with
 * the same idempotency key); an HTTP 429/503 answer carrying a retryable GraphQL error (the subgraph's load
 * shedder: `TRY_AGAIN` + `retryAfterMs`) passes through with its hint; a 502/504 is `SERVICE_UNAVAILABLE` too.
 * A 4xx the subgraph answered with `BAD_USER_INPUT` / `BAD_REQUEST` (a body over its limit) passes through too.
 * Anything else is returned unchanged (the formatter treats it as unexpected).
 */
export function mapSubgraphFailure(serviceName: string, error: unknown): unknown {
  if (isTimeout(error))
    return unavailable(serviceName, `The ${serviceName} service did not answer in time; try again shortly`);
  if (isUnreachable(error))
    return unavailable(serviceName, `The ${serviceName} service is unavailable; try again shortly`);
  if (error instanceof GraphQLError) {
    const response = error.extensions?.response as { status?: number; body?: unknown } | undefined;
    const status = response?.status;
    if (status === 429 || status === 503) {
      const body = response?.body as SubgraphErrorBody | undefined;
      const first = Array.isArray(body?.errors) ? body.errors[0] : undefined;
      const code = first?.extensions?.code;
      if (typeof code === 'string' && RETRYABLE_CODES.has(code)) {
        const extensions: Record<string, unknown> = { field: null, ...first!.extensions, serviceName };
        return new GraphQLError(
          typeof first!.message === 'string' ? first!.message : `The ${serviceName} service is busy`,
          { extensions },
        );
      }
    }
    if (status === 429 || status === 502 || status === 503 || status === 504)
      return unavailable(serviceName, `The ${serviceName} service is unavailable; try again shortly`);
    if (status !== undefined && status >= 400 && status < 500) {
      // The subgraph refused the request itself before running it (its body limit, say): the client's
      // request is at fault, and hears so with the subgraph's own code and message.
      const body = response?.body as SubgraphErrorBody | undefined;
      const first = Array.isArray(body?.errors) ? body.errors[0] : undefined;
      const code = first?.extensions?.code;
      if (typeof code === 'string' && REQUEST_CODES.has(code) && typeof first!.message === 'string')
        return new GraphQLError(first!.message, {
          extensions: { field: null, ...first!.extensions, serviceName },
        });
    }
  }
  return error;
}
