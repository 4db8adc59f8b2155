import { HttpException } from '@nestjs/common';
import { Kind, type ASTNode, type GraphQLFormattedError } from 'graphql';
import { currentTraceId, getLogger } from '../logging';
import { ErrorCode, REQUEST_ERROR_CODES } from './error-codes';
import { graphqlErrorFromHttpException } from './http-exception.mapper';
import {
  isValueKind,
  locateNode,
  reparse,
  variableArgumentPaths,
  variablePathToArgumentPath,
  type LocatedNode,
  type NodeLocation,
} from './operation-paths';

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
 * The input path a graphql-js variable-coercion message is about, from the variable, e.g.
 * `Variable "$input" got invalid value ...; Field "soldOut" is not defined by type "X".` → `input.soldOut`,
 * `Variable "$input" got invalid value "x" at "input.price"; ...` → `input.price`,
 * `Variable "$input" got invalid value {...} at "input.venue"; Field "lat" is not defined by type "VenueInput".`
 * → `input.venue.lat`, `Variable "$id" of required type "ID!" was not provided.` → `id`. Null when the message
 * is not one of those. (`extensions.field` names the argument path instead: see argumentPathOfVariableError.)
 */
export function fieldFromVariableError(message: string): string | null {
  const variable = /^Variable "\$(\w+)"/.exec(message)?.[1];
  if (!variable) return null;
  // The reason comes last; a field it names (unknown, or required and missing) is inside the object at `at`.
  const reason = message.slice(message.lastIndexOf('; ') + 1);
  const field = /^ ?Field "(\w+)" (?:is not defined|of required type)/.exec(reason)?.[1];
  const at = / at "(\w+(?:\.\w+|\[\d+\])*)"/.exec(message)?.[1];
  const base = at ? at.replace(/\[(\d+)\]/g, '.$1') : variable;
  return field ? `${base}.${field}` : base;
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

/** What formatError may read of a GraphQL error's place in the document (by shape: see isGraphQLError). */
interface LocatedError {
  message: string;
  nodes?: readonly ASTNode[];
  source?: { body: string };
  positions?: readonly number[];
}

/** The document text an error points into and where in it, when the error carries them. */
function whereIs(error: unknown): { body: string; location: NodeLocation } | null {
  const located = error as LocatedError | null;
  if (!located || typeof located !== 'object') return null;
  const node = located.nodes?.[0];
  const body = located.source?.body ?? node?.loc?.source.body;
  if (!body) return null;
  if (node?.loc) return { body, location: { start: node.loc.start, end: node.loc.end, kind: node.kind } };
  const position = located.positions?.[0];
  return position === undefined ? null : { body, location: { start: position } };
}

/** The first of `errors` that knows where it points into the document. */
function firstLocated(...errors: unknown[]): { body: string; location: NodeLocation } | null {
  for (const error of errors) {
    const where = whereIs(error);
    if (where) return where;
  }
  return null;
}

/** The node an error points at in its (re-parsed) document, with its argument path. */
function locatedNodeOf(...errors: unknown[]): LocatedNode | null {
  const where = firstLocated(...errors);
  const document = where && reparse(where.body);
  return document && where ? locateNode(document, where.location) : null;
}

const REQUIRED_ARGUMENT =
  /^(?:Field "\w+"|Directive "@\w+") argument "(\w+)" of type "[^"]+" is required, but it was not provided\.$/;
const REQUIRED_INPUT_FIELD = /^Field "\w+\.(\w+)" of required type "[^"]+" was not provided\.$/;

/** Where a validation error is in the client's arguments, and whether it is about a value given there. */
export interface ArgumentLocation {
  /** The argument path (`input.venue.capacity`, `first`, `id`). */
  field: string;
  /**
   * The value given is refused (wrong type, out of range, unknown enum value or input field, a required one
   * missing): the same mistake as a bad variable, so it is BAD_USER_INPUT. False for mistakes in the document's
   * shape that happen to sit in an argument (an unknown argument, an undefined variable).
   */
  valueError: boolean;
}

/**
 * The argument path a graphql-js validation error is about, found from the node it points at: the document is
 * parsed again and the path of that node is rebuilt from the enclosing argument, object fields and list
 * indexes. Covers inline literals of the wrong type (`capacity: 1.5`, `"10"`, `2147483648`, `title: 5`,
 * `first: "5"`), unknown or wrongly written enum values, unknown input fields (`input.foo`), required input
 * fields left out (`input.title`) and required arguments left out (`id`). Null when the error is not inside an
 * argument (or its place cannot be found).
 */
export function argumentLocationOfValidationError(error: unknown): ArgumentLocation | null {
  const message = (error as LocatedError | null)?.message ?? '';
  const required = REQUIRED_ARGUMENT.exec(message);
  if (required) return { field: required[1]!, valueError: true };
  const located = locatedNodeOf(error);
  if (!located || located.path.length === 0) return null;
  const path = [...located.path];
  const missing = REQUIRED_INPUT_FIELD.exec(message);
  if (missing && located.node.kind === Kind.OBJECT) path.push(missing[1]!);
  const { kind } = located.node;
  const inObject = located.parent?.kind === Kind.OBJECT_FIELD;
  const valueError =
    (isValueKind(kind) && kind !== Kind.VARIABLE) ||
    kind === Kind.OBJECT_FIELD ||
    (kind === Kind.NAME && inObject);
  return { field: path.join('.'), valueError };
}

/** The argument path of an inline literal graphql-js refused (see argumentLocationOfValidationError). */
export function fieldFromLiteralError(error: unknown): string | null {
  const location = argumentLocationOfValidationError(error);
  return location?.valueError ? location.field : null;
}

/**
 * The argument path a refused variable stands for: graphql-js names the variable (`i.email`, `x`), the client's
 * field is where that variable is used in the operation (`signUp(input: $i)` → `input.email`, `events(first:
 * $x)` → `first`, `createEvent(input: { venue: $v })` → `input.venue...`). Null when the error is not a
 * variable's or its operation cannot be read.
 */
export function argumentPathOfVariableError(message: string, ...errors: unknown[]): string | null {
  const variablePath = fieldFromVariableError(message);
  if (!variablePath) return null;
  const where = firstLocated(...errors);
  const document = where && reparse(where.body);
  const located = document && where ? locateNode(document, where.location) : null;
  const operation = located?.definition;
  if (!document || !operation || operation.kind !== Kind.OPERATION_DEFINITION) return variablePath;
  return variablePathToArgumentPath(variablePath, variableArgumentPaths(document, operation));
}

/** graphql-js's execution-time refusals of an argument's value (the values validation could not see). */
const ARGUMENT_NULL = /^Argument "(\w+)" of non-null type "[^"]+" must not be null\.$/;
const ARGUMENT_MISSING =
  /^Argument "(\w+)" of required type "[^"]+" was (?:not provided|provided the variable)/;
const ARGUMENT_INVALID = /^Argument "(\w+)" has invalid value /;
/** graphql-js's refusals of a variable's value (Apollo marks them BAD_USER_INPUT over HTTP; graphql-ws does not). */
const VARIABLE_REFUSAL = /^Variable "\$\w+" (?:got invalid value|of required type|of non-null type)/;

/**
 * A refusal of the client's input that graphql-js raised without a code: an argument value coerced while
 * executing (`Argument "first" of non-null type "Int!" must not be null.`, which Apollo would otherwise answer as
 * INTERNAL_SERVER_ERROR) or a variable refused where no Apollo pipeline added BAD_USER_INPUT (graphql-ws). The
 * field (the argument path) and a plainer message when there is one; null for anything else.
 */
function graphqlJsInputRefusal(
  original: unknown,
  error: unknown,
  code: unknown,
): { field: string | null; message?: string } | null {
  if (code !== undefined && code !== ErrorCode.INTERNAL_SERVER_ERROR) return null;
  if (!isGraphQLError(original)) return null;
  if ((original as { extensions?: { code?: unknown } }).extensions?.code !== undefined) return null;
  const message = original.message;
  if (VARIABLE_REFUSAL.test(message)) return { field: null };
  const argument = (ARGUMENT_NULL.exec(message) ??
    ARGUMENT_MISSING.exec(message) ??
    ARGUMENT_INVALID.exec(message))?.[1];
  if (!argument) return null;
  const located = locatedNodeOf(original, error);
  const field = located && located.path.length > 0 ? located.path.join('.') : argument;
  return ARGUMENT_NULL.test(message) ? { field, message: `${field} must not be null` } : { field };
}

/** graphql-js's parser says "more that 1000 tokens"; the client reads "more than". */
export function correctParserWording(message: string): string {
  return message.replace(/\bcontains more that (\d+) tokens\b/, 'contains more than $1 tokens');
}

/**
 * Builds the `formatError` hook. Keeps `message`, `locations`, `path`, `extensions.code` and
 * `extensions.field`. A database or Redis that cannot be reached is `SERVICE_UNAVAILABLE` with a retry hint
 * (the driver's message stays in the log). Other unexpected errors become `INTERNAL_SERVER_ERROR` and are logged with their
 * stack; in EVERY mode they leave as "Internal server error (trace <id>)" with `extensions.traceId` and
 * nothing else (no driver or database message, no stack trace). In production suggestions are removed
 * and only `PUBLIC_EXTENSION_KEYS` survive on any error. A client's input answers the same whichever way
 * it came, BAD_USER_INPUT with the argument path as `field`: an inline literal validation refused
 * (`input.venue.capacity`, `input.title`, `id`), a variable coercion refused (named where the variable is used:
 * `input.email` for `$i`, `first` for `$x`), and an argument graphql-js refused while executing (`first must
 * not be null`, which Apollo would answer as INTERNAL_SERVER_ERROR), over HTTP and over graphql-ws alike.
 */
export function createFormatError(options: FormatErrorOptions): FormatErrorFn {
  const logger = getLogger('GraphQL');
  return (formatted, error) => {
    let original = unwrapResolverError(error);
    let extensions: Record<string, unknown> = { ...(formatted.extensions ?? {}) };
    let message = correctParserWording(formatted.message);
    if (original instanceof HttpException) {
      // Thrown where no exception filter ran (the gateway, a plain Apollo hook): map it the same way.
      const mapped = graphqlErrorFromHttpException(original);
      if (mapped.extensions.code !== ErrorCode.INTERNAL_SERVER_ERROR) original = mapped;
      extensions = { ...extensions, ...mapped.extensions };
      message = mapped.message;
    }
    const refusal = graphqlJsInputRefusal(original, error, extensions.code);
    if (refusal) {
      extensions.code = ErrorCode.BAD_USER_INPUT;
      extensions.field = refusal.field;
      if (refusal.message) message = refusal.message;
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
      // A mistake inside an argument names its argument path; a refused value there is BAD_USER_INPUT, as the
      // same value sent in a variable is.
      const location =
        argumentLocationOfValidationError(original) ?? argumentLocationOfValidationError(error);
      if (location) {
        extensions.field = location.field;
        if (location.valueError) extensions.code = ErrorCode.BAD_USER_INPUT;
      }
      // graphql-js gives up on a document whose checks would cost too much (hundreds of repeated fields):
      // say which limit that is, not just that it stopped.
      if (message === 'Validation aborted.')
        message = 'The document has too many fields to check: select each field once, and fewer fields';
    }
    if (!('field' in extensions) || extensions.field == null) {
      extensions.field =
        extensions.code === ErrorCode.BAD_USER_INPUT
          ? argumentPathOfVariableError(message, error, original)
          : null;
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
