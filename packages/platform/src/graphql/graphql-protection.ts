import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { NoSchemaIntrospectionCustomRule, type ParseOptions, type ValidationRule } from 'graphql';
import type { BaseConfig } from '../config';
import { stripSuggestions } from './format-error';
import { inputTextPlugin } from './input-text';
import { operationChecksPlugin } from './operation-checks.plugin';

/** The limits one document may reach. The same numbers hold at every subgraph and at the gateway. */
export interface GraphqlLimits {
  /** Nesting of fields (fragments do not add a level). */
  maxDepth: number;
  /** Aliased fields per operation (`__typename` aliases are free). */
  maxAliases: number;
  /** graphql-armor cost: objects 2, scalars 1, x1.5 per level, x`first`/`last` for literal page sizes. */
  maxCost: number;
  /** Lexical tokens; enforced by the parser itself, so a huge document is never turned into an AST. */
  maxTokens: number;
  /** Directives per operation. */
  maxDirectives: number;
}

export const DEFAULT_GRAPHQL_LIMITS: Readonly<GraphqlLimits> = Object.freeze({
  maxDepth: 7,
  maxAliases: 15,
  maxCost: 5000,
  maxTokens: 1000,
  maxDirectives: 50,
});

/**
 * Everything an Apollo Server (subgraph or gateway) needs to refuse abusive documents before any
 * resolver runs. Spread the Apollo fields into the server options; `limits` and `production` are
 * informational. Rejected documents answer HTTP 400:
 * - depth/aliases/cost/directives are validation rules (GRAPHQL_VALIDATION_FAILED),
 * - the token limit is a parse option (GRAPHQL_PARSE_FAILED),
 * - batched JSON arrays are refused by `allowBatchedHttpRequests: false`,
 * - `csrfPrevention` refuses GET and "simple" POSTs (text/plain, form encodings) that carry neither
 *   `Apollo-Require-Preflight` nor `X-Apollo-Operation-Name`, so a cross-site form cannot ride the
 *   session cookie,
 * - an operation that cannot be resolved (unknown `operationName`, several operations without one) and a
 *   subscription over HTTP are BAD_REQUEST, and an explicit null reaching a non-null argument through a
 *   nullable variable is BAD_USER_INPUT with the argument path (operationChecksPlugin, HTTP 400),
 * - every text argument is checked for control, bidirectional and zero-width characters and unpaired
 *   surrogates, and every DateTime for RFC 3339 (inputTextPlugin: BAD_USER_INPUT with the field, HTTP 200);
 *   a value nested more than MAX_INPUT_DEPTH levels is refused with HTTP 400,
 * - in production introspection is refused and "Did you mean" hints are removed; stack traces are never
 *   included in an answer, in any mode (they stay in the logs).
 * The HTTP body size limit is the Express body parser's (`BODY_LIMIT`, default 5mb like the gateway's), set by
 * `bootstrapService`; a larger body answers 413 before GraphQL sees it.
 */
export interface GraphqlProtection {
  plugins: ApolloServerPlugin<BaseContext>[];
  validationRules: ValidationRule[];
  parseOptions: ParseOptions;
  allowBatchedHttpRequests: false;
  csrfPrevention: true;
  introspection: boolean;
  includeStacktraceInErrorResponses: boolean;
  limits: Readonly<GraphqlLimits>;
  production: boolean;
}

/** Removes graphql-js "Did you mean ..." hints from every error before it is formatted. */
export function blockSuggestionsPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors)
            (error as { message: string }).message = stripSuggestions(error.message);
        },
      };
    },
  };
}

/**
 * The validation rules for executors that do not read Apollo's `introspection` flag (graphql-ws):
 * the protection rules plus, in production, graphql-js's rule refusing `__schema` / `__type`.
 */
export function protectionValidationRules(protection: GraphqlProtection): ValidationRule[] {
  return [
    ...protection.validationRules,
    ...(protection.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
  ];
}

export type GraphqlProtectionConfig = Pick<BaseConfig, 'NODE_ENV'>;

/** Builds the shared protections for `config.NODE_ENV`; `overrides` may only change the numbers. */
export function graphqlProtection(
  config: GraphqlProtectionConfig,
  overrides: Partial<GraphqlLimits> = {},
): GraphqlProtection {
  const production = config.NODE_ENV === 'production';
  const limits = Object.freeze({ ...DEFAULT_GRAPHQL_LIMITS, ...overrides });
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new TypeError(`GraphQL limit ${name} must be a positive integer`);
  }

  // ApolloArmor mutates the config it is given (it appends its reporting callbacks), so every call
  // builds a fresh one. Rejections are reported through the validation context, which Apollo answers
  // with HTTP 400 and which plain `graphql.validate` (graphql-ws) returns as errors.
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, flattenFragments: true, ignoreIntrospection: true },
    maxAliases: { n: limits.maxAliases },
    costLimit: { maxCost: limits.maxCost, ignoreIntrospection: true },
    maxDirectives: { n: limits.maxDirectives },
    // Replaced by the parser's own `maxTokens` below: armor's plugin throws from a hook (HTTP 500).
    maxTokens: { enabled: false },
    // Armor's version leaves debris (`... "Probe". ?`) and misses enum hints; ours is below.
    blockFieldSuggestion: { enabled: false },
  });
  const armored = armor.protect();

  return {
    plugins: [
      // First: an operation that cannot run (no such name, a subscription over HTTP) is refused as such.
      operationChecksPlugin(),
      ...(armored.plugins as ApolloServerPlugin<BaseContext>[]),
      inputTextPlugin(),
      ...(production ? [blockSuggestionsPlugin()] : []),
    ],
    validationRules: armored.validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    introspection: !production,
    // Never in an answer, development included (`make dev`): stacks stay in the logs.
    includeStacktraceInErrorResponses: false,
    limits,
    production,
  };
}
