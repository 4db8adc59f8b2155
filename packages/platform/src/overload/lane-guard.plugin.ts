import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import { LANE_HEADER } from './overload.middleware';

/** The root fields an operation selects (fragments spread at the root included), `__typename` left out. */
export function rootFieldsOf(
  operation: OperationDefinitionNode,
  fragments: Map<string, readonly unknown[]>,
): string[] {
  const names: string[] = [];
  const walk = (selections: readonly unknown[]) => {
    for (const node of selections as OperationDefinitionNode['selectionSet']['selections']) {
      if (node.kind === Kind.FIELD) {
        if (node.name.value !== '__typename') names.push(node.name.value);
      } else if (node.kind === Kind.INLINE_FRAGMENT) walk(node.selectionSet.selections);
      else walk(fragments.get(node.name.value) ?? []);
    }
  };
  walk(operation.selectionSet.selections);
  return names;
}

/**
 * Holds a request that asked for the light lane (`x-shed-lane: light`, see OVERLOAD_LIGHT_OPERATIONS) to the
 * lane's operations: anything else in that lane is refused BAD_REQUEST before it runs, so the lane cannot
 * be used to slip heavy work past the other lane's limit. Requests without the header are not looked at.
 */
export function laneGuardPlugin<T extends object>(lightOperations: readonly string[]): ApolloServerPlugin<T> {
  const allowed = new Set(lightOperations);
  return {
    async requestDidStart({ request }) {
      if (request.http?.headers.get(LANE_HEADER) !== 'light') return;
      return {
        async didResolveOperation({ operation, document }) {
          if (!operation) return;
          const fragments = new Map<string, readonly unknown[]>();
          for (const definition of document.definitions)
            if (definition.kind === Kind.FRAGMENT_DEFINITION)
              fragments.set(definition.name.value, definition.selectionSet.selections);
          const outside = rootFieldsOf(operation, fragments).filter((name) => !allowed.has(name));
          if (allowed.size === 0 || outside.length > 0) {
            throw new GraphQLError(
              `The light lane serves only ${[...allowed].join(', ') || 'nothing here'}; send ${outside.join(', ') || 'this'} without the ${LANE_HEADER} header`,
              { extensions: { code: 'BAD_REQUEST', field: null } },
            );
          }
        },
      };
    },
  };
}
