import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';

/** Codes that mean "nothing was wrong with the request: send it again later". */
const RETRYABLE_CODES = new Set(['TRY_AGAIN', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED', 'SUBGRAPH_UNAVAILABLE']);

export interface RetryHint {
  /** The longest `retryAfter` (seconds) among the retryable errors; at least 1. */
  seconds: number;
  /** Every error is retryable and no field was served: the whole request should be sent again. */
  nothingServed: boolean;
  /**
   * Every retryable error is RATE_LIMITED: the caller went too fast (sign-in attempts on one account, say), not
   * the service down, so a refusal as a whole is a 429 rather than a 503 (no outage alert for a password guesser).
   */
  throttled: boolean;
}

function secondsOf(extensions: Record<string, unknown> | undefined): number {
  const seconds = Number(extensions?.retryAfter);
  if (Number.isFinite(seconds) && seconds > 0) return Math.ceil(seconds);
  const ms = Number(extensions?.retryAfterMs);
  return Number.isFinite(ms) && ms > 0 ? Math.ceil(ms / 1000) : 1;
}

/** The HTTP retry hint a GraphQL answer deserves, or null when none of its errors asks for a retry. */
export function retryHintOf(
  errors: readonly GraphQLFormattedError[] | undefined,
  data: Record<string, unknown> | null | undefined,
): RetryHint | null {
  if (!errors?.length) return null;
  const retryable = errors.filter((e) => RETRYABLE_CODES.has(String(e.extensions?.code)));
  if (retryable.length === 0) return null;
  const served = !!data && Object.values(data).some((value) => value !== null);
  return {
    seconds: Math.max(...retryable.map((e) => secondsOf(e.extensions))),
    nothingServed: retryable.length === errors.length && !served,
    throttled: retryable.every((e) => e.extensions?.code === 'RATE_LIMITED'),
  };
}

/**
 * A subgraph's refusal (its shedder's `TRY_AGAIN`, or `SERVICE_UNAVAILABLE` for one that timed out or is
 * down) keeps its meaning at the HTTP level too, as the gateway's own shedder answers: a `Retry-After` header
 * whenever an error asks for a retry, and status 503 when the request was refused as a whole (every error
 * retryable, no field served), 429 when that refusal is a subgraph's throttle (RATE_LIMITED). A partial answer
 * stays 200, with the header.
 */
export function retryHintPlugin<T extends object>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { errors, data } = response.body.singleResult;
          const hint = retryHintOf(errors, data);
          if (!hint) return;
          response.http.headers.set('retry-after', String(hint.seconds));
          if (hint.nothingServed) response.http.status = hint.throttled ? 429 : 503;
        },
      };
    },
  };
}
