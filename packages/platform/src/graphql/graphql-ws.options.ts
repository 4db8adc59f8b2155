import type { GraphQLWsSubscriptionsConfig } from '@nestjs/graphql';
import {
  execute,
  subscribe,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLSchema,
  parse,
  type Source,
  specifiedRules,
  validate,
} from 'graphql';
import type { AccessTokenVerifier } from '../auth/access-token.verifier';
import { createWsAuthenticator, type WsConnectionContext } from '../auth/ws-authenticator';
import type { FormatErrorFn } from './format-error';
import { protectionValidationRules, type GraphqlProtection } from './graphql-protection';
import { checkOperationInputs } from './input-text';
import { checkNullArguments } from './null-arguments';

/**
 * Runs `run` only when every argument passes the platform's checks, as over HTTP: text/DateTime and nesting
 * (inputTextPlugin), no explicit null into a non-null argument through a nullable variable (operationChecksPlugin).
 */
function checkedInputs<R>(run: (args: ExecutionArgs) => R): (args: ExecutionArgs) => R | ExecutionResult {
  return (args) => {
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const refused =
      checkOperationInputs(args.schema, args.document, variables) ??
      checkNullArguments(args.schema, args.document, args.operationName, variables);
    return refused ? { errors: [refused] } : run(args);
  };
}

export interface GraphqlWsOptions {
  /** WebSocket path; defaults to the HTTP GraphQL path. */
  path?: string;
  /** Refuse anonymous connections (default false; resolver guards still apply per subscription). */
  requireAuth?: boolean;
}

/**
 * graphql-ws server options with the same protections as HTTP: token limit at parse, depth/alias/
 * cost/directive rules (and no introspection in production) at validation, the text and DateTime input check
 * before any resolver (`checkOperationInputs`, as inputTextPlugin does over HTTP), errors passed through
 * `formatError`, and the access token checked at `onConnect` when auth is set up.
 */
export function graphqlWsServerOptions(
  protection: GraphqlProtection,
  formatError: FormatErrorFn,
  verifier: AccessTokenVerifier | undefined,
  options: GraphqlWsOptions & { path: string },
): GraphQLWsSubscriptionsConfig {
  const rules = [...specifiedRules, ...protectionValidationRules(protection)];
  const format = (errors: readonly GraphQLError[]) =>
    errors.map((error) => formatError(error.toJSON(), error));
  // Nest hands every key of this object to graphql-ws `useServer`, although its type only lists some;
  // `parse`, `validate` and `onError` are graphql-ws ServerOptions (the e2e test proves they apply).
  const serverOptions = {
    path: options.path,
    parse: (source: string | Source): DocumentNode => parse(source, protection.parseOptions),
    // The code Apollo gives the same errors over HTTP, so the formatter treats them alike (a refused argument
    // value becomes BAD_USER_INPUT with its argument path).
    validate: (schema: GraphQLSchema, document: DocumentNode) =>
      validate(schema, document, rules).map(
        (error) =>
          new GraphQLError(error.message, {
            nodes: error.nodes,
            originalError: error.originalError,
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...error.extensions },
          }),
      ),
    // Nest spreads these over its own graphql `execute`/`subscribe`.
    execute: checkedInputs(execute),
    subscribe: checkedInputs(subscribe),
    onConnect: verifier
      ? (ctx: unknown) =>
          createWsAuthenticator(verifier, { requireAuth: options.requireAuth })(ctx as WsConnectionContext)
      : undefined,
    onError: (_ctx: unknown, _id: string, _payload: unknown, errors: readonly GraphQLError[]) =>
      format(errors),
    onNext: (_ctx: unknown, _id: string, _payload: unknown, _args: unknown, result: ExecutionResult) =>
      result.errors?.length
        ? ({ ...result, errors: format(result.errors) } as FormattedExecutionResult)
        : undefined,
  };
  return serverOptions as GraphQLWsSubscriptionsConfig;
}
