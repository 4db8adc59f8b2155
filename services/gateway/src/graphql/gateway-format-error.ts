import {
  createFormatError,
  currentTraceId,
  getLogger,
  PUBLIC_EXTENSION_KEYS,
  type FormatErrorFn,
} from '@ticketing/platform';
import type { GraphQLFormattedError } from 'graphql';

const GENERIC_MESSAGE = 'Internal server error';
/** Codes that say "something broke" rather than "your request was refused": never shown verbatim, in any mode. */
const UNEXPECTED_CODES = new Set(['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR']);

/** The extension a stack trace travels in (Apollo's `includeStacktraceInErrorResponses`, a subgraph's answer). */
const STACK_EXTENSION = 'stacktrace';

/** The error without its stack trace, if it had one. */
function withoutStack(error: GraphQLFormattedError): GraphQLFormattedError {
  if (!error.extensions || !(STACK_EXTENSION in error.extensions)) return error;
  const { [STACK_EXTENSION]: _stack, ...extensions } = error.extensions;
  return { ...error, extensions };
}

/**
 * `formatError` of the gateway. Errors a subgraph answered (Apollo Gateway marks them with
 * `extensions.serviceName`) were already formatted by that subgraph's own `formatError`, so their code, message
 * and field are kept as the subgraph chose them (an `UNAUTHENTICATED` from auth stays `UNAUTHENTICATED`).
 * Unexpected ones (a subgraph that broke or cannot be reached: "fetch failed", ECONNREFUSED...) leave as the
 * generic message with the trace id in every mode, their details only in the log; in production only the public
 * extension keys survive on any error. Everything else (the gateway's own validation...) goes through the
 * platform formatter. In every mode, development included, no answer carries a stack trace (`stacktrace`, which
 * Apollo or a subgraph in development mode may have added): stacks stay in the logs.
 */
export function createGatewayFormatError(options: { production: boolean }): FormatErrorFn {
  const platformFormat = createFormatError(options);
  const logger = getLogger('GraphQL');
  return (formatted, error) => {
    const extensions = formatted.extensions ?? {};
    if (typeof extensions.serviceName !== 'string') return withoutStack(platformFormat(formatted, error));

    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    const unexpected = UNEXPECTED_CODES.has(code);
    const out: Record<string, unknown> = { ...extensions, code: unexpected ? 'INTERNAL_SERVER_ERROR' : code };
    if (!('field' in out)) out.field = null;
    delete out[STACK_EXTENSION];
    let message = formatted.message;
    if (unexpected) {
      const traceId = currentTraceId();
      logger.error({ message, extensions, path: formatted.path, traceId }, 'unexpected subgraph error');
      message = traceId ? `${GENERIC_MESSAGE} (trace ${traceId})` : GENERIC_MESSAGE;
      for (const key of Object.keys(out))
        if (!['code', 'field', 'serviceName'].includes(key)) delete out[key];
      if (traceId) out.traceId = traceId;
    }
    if (options.production) {
      for (const key of Object.keys(out)) if (!PUBLIC_EXTENSION_KEYS.includes(key)) delete out[key];
    }
    const result: GraphQLFormattedError = { message, extensions: out };
    if (formatted.locations) Object.assign(result, { locations: formatted.locations });
    if (formatted.path) Object.assign(result, { path: formatted.path });
    return result;
  };
}
