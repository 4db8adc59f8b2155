import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode } from 'graphql';
import { checkNullArguments } from './null-arguments';

export const SUBSCRIPTIONS_OVER_HTTP_MESSAGE =
  'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql';

/** A refusal of the request's shape (HTTP 400, BAD_REQUEST), with the request field at fault. */
function badRequest(message: string, field: string | null): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_REQUEST', field, http: { status: 400 } } });
}

/**
 * Why no operation of `document` can run for `operationName`, in graphql-js's own words (for a request the
 * server found no operation to run in).
 */
export function operationResolutionProblem(
  document: DocumentNode,
  operationName: string | null | undefined,
): string {
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return `Unknown operation named "${operationName}".`;
  if (operations.length > 1) return 'Must provide operation name if query contains multiple operations.';
  return 'Must provide an operation.';
}

/**
 * Checks every HTTP operation once its document is valid and before anything runs (and, at the gateway,
 * before anything is planned):
 * - the operation must be resolvable: an `operationName` the document does not have, or several operations
 *   and no name, is the client's mistake (BAD_REQUEST, field `operationName`, HTTP 400), not a 500 from the
 *   executor;
 * - a subscription is refused with the place it is served (graphql-transport-ws on /graphql), HTTP 400;
 * - no explicit `null` may reach a non-null argument or input field through a nullable variable
 *   (checkNullArguments: BAD_USER_INPUT naming the argument path, HTTP 400), which validation lets through
 *   when that argument has a default and execution would refuse as an internal error.
 */
export function operationChecksPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation)
            throw badRequest(operationResolutionProblem(document, request.operationName), 'operationName');
          if (operation.operation === 'subscription') throw badRequest(SUBSCRIPTIONS_OVER_HTTP_MESSAGE, null);
          const refused = checkNullArguments(
            schema,
            document,
            request.operationName,
            request.variables as Record<string, unknown> | undefined,
          );
          if (refused) {
            Object.assign(refused.extensions, { http: { status: 400 } });
            throw refused;
          }
        },
      };
    },
  };
}
