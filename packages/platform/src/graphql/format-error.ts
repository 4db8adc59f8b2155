import { HttpException } from '@nestjs/common';
import type { GraphQLFormattedError } from 'graphql';
import { getLogger } from '../logging';
import { ErrorCode, REQUEST_ERROR_CODES } from './error-codes';
import { graphqlErrorFromHttpException } from './http-exception.mapper';

/** Extension keys a client may see in production; everything else (stacktrace, exception...) is dropped. */
export const PUBLIC_EXTENSION_KEYS: readonly string[] = ['code', 'field', 'retryAfter'];

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
 * Builds the `formatError` hook. Keeps `message`, `locations`, `path`, `extensions.code` and
 * `extensions.field`. Unexpected errors become `INTERNAL_SERVER_ERROR` and are logged with their
 * stack. In production their message is replaced by a generic one, suggestions are removed and only
 * `PUBLIC_EXTENSION_KEYS` survive (no stacktrace, no `originalError`, no exception details).
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

    if (!expected) {
      extensions.code = ErrorCode.INTERNAL_SERVER_ERROR;
      logger.error({ err: original, path: formatted.path }, 'unexpected GraphQL error');
      if (options.production) message = GENERIC_MESSAGE;
    }
    if (!('field' in extensions) || extensions.field == null) {
      extensions.field =
        extensions.code === ErrorCode.BAD_USER_INPUT ? fieldFromVariableError(message) : null;
    }

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
