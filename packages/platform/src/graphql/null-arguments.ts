import {
  isNonNullType,
  Kind,
  TypeInfo,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  type VariableDefinitionNode,
} from 'graphql';
import { badInput } from './errors';
import { argumentPathTracker, operationDocument, selectOperation } from './operation-paths';

/** The runtime value of a variable: the client's, else its default; undefined when it has neither. */
function runtimeValue(
  definition: VariableDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
): unknown {
  const name = definition.variable.name.value;
  if (Object.hasOwn(variables, name)) return variables[name];
  if (definition.defaultValue) return valueFromASTUntyped(definition.defaultValue);
  return undefined;
}

/**
 * The first argument or input field of non-null type that would receive an explicit `null` through a
 * nullable variable, as a BAD_USER_INPUT error naming its argument path (`first must not be null`, field
 * `first`; `input.perOrderMax`); null when there is none.
 *
 * GraphQL validation lets a nullable variable stand where a non-null type is expected when that argument or
 * field has a default (`events(first: $f)` with `$f: Int` and `first: Int! = 20`): leaving the variable out
 * gives the default, but an explicit `null` (sent, or the variable's own `= null`) is refused only while
 * executing, where graphql-js reports it in words a client cannot act on. This check answers it before any
 * work is planned. Walks the selected operation and the fragments it spreads; variables not used there and
 * non-null variables (coercion refuses those itself) are left alone.
 */
export function checkNullArguments(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): GraphQLError | null {
  const operation = selectOperation(document, operationName);
  if (!operation?.variableDefinitions?.length) return null;
  const values = variables ?? {};
  const nullable = new Map<string, VariableDefinitionNode>();
  for (const definition of operation.variableDefinitions) {
    if (definition.type.kind === Kind.NON_NULL_TYPE) continue;
    if (runtimeValue(definition, values) === null) nullable.set(definition.variable.name.value, definition);
  }
  if (nullable.size === 0) return null;

  const typeInfo = new TypeInfo(schema);
  const tracker = argumentPathTracker();
  let refused: string | null = null;
  visit(
    operationDocument(document, operation),
    visitWithTypeInfo(typeInfo, {
      enter(node, key) {
        if (refused !== null) return false;
        // Declarations are not uses (and their defaults are checked by validation).
        if (node.kind === Kind.VARIABLE_DEFINITION) return false;
        tracker.enter(node, key as string | number | undefined);
        if (node.kind === Kind.VARIABLE && nullable.has(node.name.value)) {
          const expected = typeInfo.getInputType();
          const path = tracker.current();
          if (expected && isNonNullType(expected) && path.length > 0) refused = path.join('.');
        }
        return undefined;
      },
      leave() {
        tracker.leave();
      },
    }),
  );
  if (refused === null) return null;
  return badInput(refused, `${refused} must not be null`);
}
