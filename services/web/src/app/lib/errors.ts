import type { CombinedError } from 'urql';

export interface ApiProblem {
  code: string;
  /** Argument path the API blamed (`input.email`), or null. */
  field: string | null;
  message: string;
  /** The API's retry hint (`extensions.retryAfterMs`), when it gave one. */
  retryAfterMs?: number;
  /** A checkout whose payment may still go through (`extensions.paymentPending`: the provider timed out). */
  paymentPending?: boolean;
}

// What a person should read for each stable error code; the API's own message is added when it is more precise.
const FRIENDLY: Record<string, string> = {
  UNAUTHENTICATED: 'Please sign in to continue.',
  FORBIDDEN: 'You are not allowed to do that.',
  NOT_FOUND: 'We could not find that.',
  CONFLICT: 'That changed in the meantime. Reload and try again.',
  SOLD_OUT: 'Sold out: not enough tickets or seats are left.',
  HOLD_EXPIRED: 'Your hold has expired. Please reserve again.',
  PAYMENT_DECLINED: 'Your payment was declined. Nothing was charged; try another card.',
  PAYMENT_PROVIDER_ERROR: 'The payment provider had a problem and nothing was charged. You can safely retry.',
  RATE_LIMITED: 'Too many requests. Please wait a moment and try again.',
  TRY_AGAIN: 'We are very busy right now. Please try again in a moment.',
  SERVICE_UNAVAILABLE: 'The service is busy. Please try again in a few seconds.',
  SUBGRAPH_UNAVAILABLE: 'The service is busy. Please try again in a few seconds.',
  INTERNAL_SERVER_ERROR: 'Something went wrong on our side. Please try again.',
  NETWORK: 'Cannot reach the server. Check your connection and retry.',
};

/**
 * Codes that say something broke between the app and the API (a document the API does not know, as while the
 * web app and the gateway are deployed out of step; a failure inside), not something a person did: their
 * messages are for developers and are never shown.
 */
const TECHNICAL = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'INTERNAL_SERVER_ERROR',
  'DOWNSTREAM_SERVICE_ERROR',
  'SUBREQUEST_HTTP_ERROR',
  'SUBREQUEST_MALFORMED_RESPONSE',
]);

/** Problems a retry may cure: nothing the person did or can change. */
const TRANSIENT = new Set([
  'NETWORK',
  'TRY_AGAIN',
  'SERVICE_UNAVAILABLE',
  'SUBGRAPH_UNAVAILABLE',
  'RATE_LIMITED',
]);

/**
 * Whether loading a page failed for a reason the app has no words of its own for (a technical code, an unknown
 * one, the network): the page then says "something went wrong" and offers Retry.
 */
export function isUnexpected(problem: ApiProblem): boolean {
  return TECHNICAL.has(problem.code) || TRANSIENT.has(problem.code);
}

export function problemOf(error: CombinedError | undefined | null): ApiProblem | null {
  if (!error) return null;
  if (error.networkError && !error.graphQLErrors.length) {
    return { code: 'NETWORK', field: null, message: FRIENDLY.NETWORK };
  }
  const first = error.graphQLErrors[0];
  const ext = (first?.extensions ?? {}) as {
    code?: string;
    field?: string | null;
    retryAfterMs?: unknown;
    paymentPending?: unknown;
  };
  const code = ext.code ?? 'INTERNAL_SERVER_ERROR';
  return {
    code,
    field: ext.field ?? null,
    message: first?.message ?? FRIENDLY.INTERNAL_SERVER_ERROR,
    ...(typeof ext.retryAfterMs === 'number' ? { retryAfterMs: ext.retryAfterMs } : {}),
    ...(ext.paymentPending === true ? { paymentPending: true } : {}),
  };
}

/**
 * One sentence for a banner: the API's message for input errors, the friendly text otherwise. `precise` lists
 * further codes whose API message is the better sentence where they come from (a refused sign-in's
 * UNAUTHENTICATED says "Invalid email or password", not "please sign in").
 */
export function describe(problem: ApiProblem, precise: readonly string[] = []): string {
  if (problem.code === 'BAD_USER_INPUT') return problem.message;
  if (precise.includes(problem.code) && problem.message) return problem.message;
  if (problem.paymentPending)
    return 'The payment provider did not answer in time: your payment may still go through.';
  const friendly = FRIENDLY[problem.code];
  // A technical code's message ("Cannot query field ...") is for developers: never shown as it is.
  if (TECHNICAL.has(problem.code)) return FRIENDLY.INTERNAL_SERVER_ERROR;
  // Other codes the services answer with carry a message written for people.
  if (!friendly) return problem.message || FRIENDLY.INTERNAL_SERVER_ERROR;
  if (['CONFLICT', 'FORBIDDEN', 'NOT_FOUND'].includes(problem.code) && problem.message)
    return problem.message;
  return friendly;
}

/** The last segment of an API field path, e.g. `input.venue.city` -> `venue.city`. */
export function fieldName(problem: ApiProblem | null): string | null {
  if (!problem?.field) return null;
  return problem.field.replace(/^input\./, '');
}

/**
 * For a form: `(name) => message` gives the API's message when the problem blamed exactly the field `name`
 * (`input.` dropped, as in `fieldName`), else null; pass it as a `Field`'s `error`.
 */
export function fieldErrors(problem: ApiProblem | null): (name: string) => string | null {
  const bad = fieldName(problem);
  return (name) => (problem && bad === name ? problem.message : null);
}
