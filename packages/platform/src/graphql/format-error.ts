import { HttpException } from '@nestjs/common';
import { Kind, parse, visit, type ASTNode, type GraphQLFormattedError } from 'graphql';
import { currentTraceId, getLogger } from '../logging';
import { ErrorCode, REQUEST_ERROR_CODES } from './error-codes';
import { graphqlErrorFromHttpException } from './http-exception.mapper';

/** Extension keys a client may see in production; everything else (stacktrace, exception...) is dropped. */
export const PUBLIC_EXTENSION_KEYS: readonly string[] = [
  'code',
  'field',
  'retryAfter',
  'retryAfterMs',
  'traceId',
];

const GENERIC_MESSAGE = 'Internal server error';
// graphql-js appends hints such as `Did you mean "name"?` or `Did you mean the enum value "ADMIN"?`.
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

export interface FormatErrorOptions {
  production: boolean;
}

export type FormatErrorFn = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** Removes graphql-js "Did you mean ..." hints, which leak field, type and enum names. */
export function stripSuggestions(message: string): string {
  return message.replace(SUGGESTION, '').trim();
}

/**
 * GraphQLError by name rather than `instanceof`, so an error built by another copy of graphql-js
 * (a test runner loading both its ESM and CommonJS builds) is still recognised.
 */
function isGraphQLError(value: unknown): value is Error & { path?: unknown; originalError?: unknown } {
  return value instanceof Error && value.name === 'GraphQLError';
}

/** The value a resolver threw, when Apollo wrapped it in a located GraphQLError. */
function unwrapResolverError(error: unknown): unknown {
  if (isGraphQLError(error) && error.path && error.originalError) return error.originalError;
  return error;
}

/**
 * Decides whether an error was raised on purpose (a GraphQLError from our helpers, a request-level
 * parse/validation error) or escaped from the code (TypeError, a driver error...).
 */
function isExpected(original: unknown, code: unknown): boolean {
  if (code === ErrorCode.INTERNAL_SERVER_ERROR) return false;
  if (typeof code === 'string' && REQUEST_ERROR_CODES.has(code)) return true;
  // Apollo's own input errors (variable coercion) are GraphQLError subclasses named `UserInputError`.
  if (code === ErrorCode.BAD_USER_INPUT && original instanceof Error && original.name === 'UserInputError')
    return true;
  return isGraphQLError(original);
}

/** Driver errors that mean "the database or Redis could not be reached", by the drivers' error names. */
const UNREACHABLE_ERROR_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoPoolClearedError',
  'MongoTopologyClosedError',
  'MaxRetriesPerRequestError', // ioredis: the command was not sent while the connection was down
]);
/** The delay a client is told to wait before retrying when a backing server is unreachable. */
export const UNREACHABLE_RETRY_AFTER_MS = 1_000;

/**
 * True when an error escaped because a backing server (MongoDB, Redis) was unreachable: an outage, not a
 * defect, so the client hears the retryable SERVICE_UNAVAILABLE rather than INTERNAL_SERVER_ERROR. Whether the
 * write happened is unknown to the caller either way (the retry with the same key decides), so the code
 * promises nothing about it. Mongoose's own "buffering timed out" (no connection within its buffer timeout)
 * counts too.
 */
export function isBackingServerUnreachable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNREACHABLE_ERROR_NAMES.has(error.name)) return true;
  if (error.name === 'MongooseError' && /buffering timed out/.test(error.message)) return true;
  return error.name === 'Error' && /^Connection is closed\.?$/.test(error.message); // ioredis, closed socket
}

/**
 * The input path a graphql-js variable-coercion message is about, e.g.
 * `Variable "$input" got invalid value ...; Field "soldOut" is not defined by type "X".` → `input.soldOut`,
 * `Variable "$input" got invalid value "x" at "input.price"; ...` → `input.price`,
 * `Variable "$id" of required type "ID!" was not provided.` → `id`. Null when the message is not one of those.
 */
export function fieldFromVariableError(message: string): string | null {
  const variable = /^Variable "\$(\w+)"/.exec(message)?.[1];
  if (!variable) return null;
  const at = / at "(\w+(?:\.\w+|\[\d+\])*)"/.exec(message)?.[1];
  if (at) return at.replace(/\[(\d+)\]/g, '.$1');
  const field = /Field "(\w+)" (?:is not defined|of required type)/.exec(message)?.[1];
  return field ? `${variable}.${field}` : variable;
}

/**
 * graphql-js quotes a refused variable's whole value in its message (`Variable "$i" got invalid value { email:
 * "...", password: "..." }; Field "isAdmin" is not defined...`), which would hand a password back to the client
 * and into every log on the way. The value is dropped; the variable, the path and the reason stay:
 * `Variable "$i" got an invalid value; Field "isAdmin" is not defined by type "SignUpInput".` `reason` is the
 * inner coercion error's message when known (the text after the value), else the message's last `; ` part.
 */
export function redactVariableValue(message: string, reason?: string): string {
  const head = /^(Variable "\$\w+") got invalid value /.exec(message);
  if (!head) return message;
  let rest = message.slice(head[0].length);
  let why = '';
  if (reason && rest.endsWith(`; ${reason}`)) {
    why = `; ${reason}`;
    rest = rest.slice(0, -why.length);
  } else {
    const cut = rest.lastIndexOf('; ');
    if (cut >= 0) {
      why = rest.slice(cut);
      rest = rest.slice(0, cut);
    }
  }
  const at = / at "[\w.[\]]+"$/.exec(rest)?.[0] ?? '';
  return `${head[1]} got an invalid value${at}${why}`;
}

/** The located GraphQL error a literal-value validation failure came as (name-based, see isGraphQLError). */
interface LocatedError {
  message: string;
  source?: { body: string };
  positions?: readonly number[];
}

/**
 * The argument path of an inline literal graphql-js refused (`Expected value of type "DateTime!", found
 * "2031"; ...`): the document is parsed again and the path of the node at the error's position is
 * rebuilt from the enclosing argument, object fields and list indexes (`input.startsAt`). Null when the
 * error is not such a failure or the position cannot be found.
 */
export function fieldFromLiteralError(error: unknown): string | null {
  const located = error as LocatedError | null;
  if (!located || !/^Expected value of type /.test(located.message ?? '')) return null;
  const position = located.positions?.[0];
  const body = located.source?.body;
  if (position === undefined || !body) return null;
  let document;
  try {
    document = parse(body);
  } catch {
    return null;
  }
  const names: Array<string | null> = [];
  let found: string | null = null;
  const enter = (node: ASTNode, key: string | number | undefined) => {
    if (found) return false;
    if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) names.push(node.name.value);
    // A list item: its index.
    else if (typeof key === 'number' && isValueKind(node.kind)) names.push(String(key));
    else names.push(null);
    if (node.loc?.start === position && names.some((n) => n !== null) && isValueKind(node.kind))
      found = names.filter((n): n is string => n !== null).join('.');
    return undefined;
  };
  visit(document, { enter, leave: () => void names.pop() });
  return found;
}

const VALUE_KINDS = new Set<string>([
  Kind.STRING,
  Kind.INT,
  Kind.FLOAT,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
  Kind.VARIABLE,
]);
const isValueKind = (kind: string) => VALUE_KINDS.has(kind);

/**
 * Builds the `formatError` hook. Keeps `message`, `locations`, `path`, `extensions.code` and
 * `extensions.field`. A database or Redis that cannot be reached is `SERVICE_UNAVAILABLE` with a retry hint
 * (the driver's message stays in the log). Other unexpected errors become `INTERNAL_SERVER_ERROR` and are logged with their
 * stack; in EVERY mode they leave as "Internal server error (trace <id>)" with `extensions.traceId` and
 * nothing else (no driver or database message, no stack trace). In production suggestions are removed
 * and only `PUBLIC_EXTENSION_KEYS` survive on any error. An inline literal graphql-js refused
 * (`Expected value of type ...`) is BAD_USER_INPUT with its argument path as the field.
 */
export function createFormatError(options: FormatErrorOptions): FormatErrorFn {
  const logger = getLogger('GraphQL');
  return (formatted, error) => {
    let original = unwrapResolverError(error);
    let extensions: Record<string, unknown> = { ...(formatted.extensions ?? {}) };
    let message = formatted.message;
    if (original instanceof HttpException) {
      // Thrown where no exception filter ran (the gateway, a plain Apollo hook): map it the same way.
      const mapped = graphqlErrorFromHttpException(original);
      if (mapped.extensions.code !== ErrorCode.INTERNAL_SERVER_ERROR) original = mapped;
      extensions = { ...extensions, ...mapped.extensions };
      message = mapped.message;
    }
    const expected = isExpected(original, extensions.code);

    if (!expected && isBackingServerUnreachable(original)) {
      const traceId = currentTraceId();
      logger.warn({ err: original, path: formatted.path, traceId }, 'a backing server is unreachable');
      extensions = {
        code: ErrorCode.SERVICE_UNAVAILABLE,
        field: null,
        retryAfterMs: UNREACHABLE_RETRY_AFTER_MS,
        retryAfter: Math.ceil(UNREACHABLE_RETRY_AFTER_MS / 1000),
        ...(traceId ? { traceId } : {}),
      };
      message = 'The service cannot reach a server it depends on; try again shortly';
    } else if (!expected) {
      const traceId = currentTraceId();
      logger.error({ err: original, path: formatted.path, traceId }, 'unexpected GraphQL error');
      // Whatever escaped (a driver's or database's message, a stack) stays in the log.
      extensions = { code: ErrorCode.INTERNAL_SERVER_ERROR, field: null, ...(traceId ? { traceId } : {}) };
      message = traceId ? `${GENERIC_MESSAGE} (trace ${traceId})` : GENERIC_MESSAGE;
    } else if (extensions.code === 'GRAPHQL_VALIDATION_FAILED') {
      const field = fieldFromLiteralError(original);
      if (field) {
        extensions.code = ErrorCode.BAD_USER_INPUT;
        extensions.field = field;
      }
      // graphql-js gives up on a document whose checks would cost too much (hundreds of repeated fields):
      // say which limit that is, not just that it stopped.
      if (message === 'Validation aborted.')
        message = 'The document has too many fields to check: select each field once, and fewer fields';
    }
    if (!('field' in extensions) || extensions.field == null) {
      extensions.field =
        extensions.code === ErrorCode.BAD_USER_INPUT ? fieldFromVariableError(message) : null;
    }
    if (extensions.code === ErrorCode.BAD_USER_INPUT) {
      const inner = (error as { originalError?: { message?: unknown } } | null)?.originalError;
      message = redactVariableValue(message, typeof inner?.message === 'string' ? inner.message : undefined);
    }

    // No stack trace leaves in any mode, whoever added it (Apollo, a wrapped downstream answer).
    delete extensions.stacktrace;
    if (options.production) {
      message = stripSuggestions(message);
      for (const key of Object.keys(extensions)) {
        if (!PUBLIC_EXTENSION_KEYS.includes(key)) delete extensions[key];
      }
    }

    const result: GraphQLFormattedError = { message, extensions };
    if (formatted.locations) Object.assign(result, { locations: formatted.locations });
    if (formatted.path) Object.assign(result, { path: formatted.path });
    return result;
  };
}
