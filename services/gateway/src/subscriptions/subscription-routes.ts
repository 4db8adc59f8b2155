import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Root `Subscription` field name → name of the subgraph that resolves it (as written in `@join__graph(name:)`). */
export type SubscriptionOwners = ReadonlyMap<string, string>;

function stringArg(directive: ConstDirectiveNode, name: string): string | undefined {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  if (arg.value.kind === Kind.STRING) return arg.value.value;
  if (arg.value.kind === Kind.ENUM) return arg.value.value;
  return undefined;
}

function boolArg(directive: ConstDirectiveNode, name: string): boolean {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  return arg?.value.kind === Kind.BOOLEAN && arg.value.value;
}

/**
 * Reads the supergraph SDL and tells, for every root Subscription field, which subgraph owns it. Uses the join spec
 * the composition writes: `@join__field(graph:)` on the field, else the single `@join__type(graph:)` of the type.
 */
export function subscriptionOwners(supergraphSdl: string): SubscriptionOwners {
  const doc = parse(supergraphSdl);
  const graphNames = new Map<string, string>();
  let subscriptionTypeName = 'Subscription';
  for (const def of doc.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION && def.name.value === 'join__Graph') {
      for (const value of def.values ?? []) {
        const directive = value.directives?.find((d) => d.name.value === 'join__graph');
        const name = directive && stringArg(directive, 'name');
        graphNames.set(value.name.value, name ?? value.name.value.toLowerCase());
      }
    }
    if (def.kind === Kind.SCHEMA_DEFINITION) {
      const op = def.operationTypes.find((t) => t.operation === 'subscription');
      if (op) subscriptionTypeName = op.type.name.value;
    }
  }

  const owners = new Map<string, string>();
  const fieldGraphs = (field: FieldDefinitionNode): string[] =>
    (field.directives ?? [])
      .filter((d) => d.name.value === 'join__field' && !boolArg(d, 'external'))
      .map((d) => stringArg(d, 'graph'))
      .filter((g): g is string => g !== undefined);

  for (const def of doc.definitions) {
    if (
      (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.OBJECT_TYPE_EXTENSION) ||
      def.name.value !== subscriptionTypeName
    ) {
      continue;
    }
    const typeGraphs = (def.directives ?? [])
      .filter((d) => d.name.value === 'join__type')
      .map((d) => stringArg(d, 'graph'))
      .filter((g): g is string => g !== undefined);
    for (const field of def.fields ?? []) {
      const graphs = fieldGraphs(field);
      const graph = graphs[0] ?? (typeGraphs.length === 1 ? typeGraphs[0] : undefined);
      if (graph) owners.set(field.name.value, graphNames.get(graph) ?? graph.toLowerCase());
    }
  }
  return owners;
}

export type SubscriptionRoute = { ok: true; subgraph: string } | { ok: false; message: string };

function selectOperation(
  document: DocumentNode,
  operationName?: string | null,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function collectRootFields(
  document: DocumentNode,
  selectionSet: SelectionSetNode,
  into: Set<string>,
  seen: Set<string>,
) {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      into.add(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectRootFields(document, selection.selectionSet, into, seen);
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find(
        (d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value,
      );
      if (fragment && fragment.kind === Kind.FRAGMENT_DEFINITION) {
        collectRootFields(document, fragment.selectionSet, into, seen);
      }
    }
  }
}

/**
 * Decides which subgraph serves a subscription document. Every root field must be owned by one and the same
 * subgraph (GraphQL allows a single root field per subscription anyway); unknown fields are refused.
 */
export function routeSubscription(
  owners: SubscriptionOwners,
  document: DocumentNode,
  operationName?: string | null,
): SubscriptionRoute {
  const operation = selectOperation(document, operationName);
  if (!operation)
    return { ok: false, message: 'The document has no operation to run (name it with operationName).' };
  if (operation.operation !== 'subscription') {
    return {
      ok: false,
      message: 'Only subscriptions are served over WebSocket; send queries and mutations over HTTP.',
    };
  }
  const fields = new Set<string>();
  collectRootFields(document, operation.selectionSet, fields, new Set());
  const subgraphs = new Set<string>();
  for (const field of fields) {
    const owner = owners.get(field);
    if (!owner) return { ok: false, message: `Unknown subscription field "${field}".` };
    subgraphs.add(owner);
  }
  const [subgraph, ...others] = [...subgraphs];
  if (!subgraph) return { ok: false, message: 'The subscription selects no field.' };
  if (others.length > 0) return { ok: false, message: 'A subscription cannot span several subgraphs.' };
  return { ok: true, subgraph };
}
