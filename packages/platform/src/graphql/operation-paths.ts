import {
  Kind,
  parse,
  visit,
  type ASTNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Argument paths of nodes inside an operation: the dotted path a client's input has from the field's arguments
 * (`input.venue.capacity`, `first`, `ids.1`), the same path `extensions.field` names whichever way the value
 * came (an inline literal or a variable).
 */

const VALUE_KINDS: ReadonlySet<string> = new Set([
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

/** True for the AST kinds a value is made of (literals, lists, objects, variables). */
export const isValueKind = (kind: string): boolean => VALUE_KINDS.has(kind);

/**
 * A visitor's `enter`/`leave` pair that keeps the argument path of the node being visited: argument and object
 * field names, and list indexes. `current()` is that path (empty outside any argument).
 */
export function argumentPathTracker() {
  const names: Array<string | null> = [];
  return {
    enter(node: ASTNode, key: string | number | undefined): void {
      if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) names.push(node.name.value);
      // A list item: its index.
      else if (typeof key === 'number' && isValueKind(node.kind)) names.push(String(key));
      else names.push(null);
    },
    leave(): void {
      names.pop();
    },
    current(): string[] {
      return names.filter((name): name is string => name !== null);
    },
  };
}

/** Where a node of an error is: its kind and source range when the node is known, else the position only. */
export interface NodeLocation {
  start: number;
  end?: number;
  kind?: string;
}

export interface LocatedNode {
  node: ASTNode;
  /** Argument path of the node (empty when it is not inside an argument). */
  path: string[];
  /** The node that holds it (an argument, an object field...). */
  parent?: ASTNode;
  /** The operation (or fragment) the node is in. */
  definition?: OperationDefinitionNode | FragmentDefinitionNode;
}

/** Parses a document an error came from again (it parsed before, so any failure means "unknown"). */
export function reparse(body: string | undefined): DocumentNode | null {
  if (!body) return null;
  try {
    return parse(body);
  } catch {
    return null;
  }
}

/**
 * The outermost node of `document` at `location` (same kind and range when they are known), with its argument
 * path and the definition it belongs to; null when nothing there.
 */
export function locateNode(document: DocumentNode, location: NodeLocation): LocatedNode | null {
  const tracker = argumentPathTracker();
  let found: LocatedNode | null = null;
  let definition: LocatedNode['definition'];
  visit(document, {
    enter(node, key, _parent, _path, ancestors) {
      if (found) return false;
      if (node.kind === Kind.OPERATION_DEFINITION || node.kind === Kind.FRAGMENT_DEFINITION)
        definition = node;
      tracker.enter(node, key as string | number | undefined);
      const loc = node.loc;
      if (
        loc &&
        loc.start === location.start &&
        (location.end === undefined || loc.end === location.end) &&
        (location.kind === undefined || node.kind === location.kind)
      ) {
        const parent = [...ancestors].reverse().find((a): a is ASTNode => !Array.isArray(a));
        found = { node, path: tracker.current(), parent, definition };
        return false;
      }
      return undefined;
    },
    leave() {
      tracker.leave();
    },
  });
  return found;
}

/** The operation `operationName` selects, as graphql-js would pick it (undefined when it cannot). */
export function selectOperation(
  document: DocumentNode,
  operationName?: string | null,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName) return operations.find((operation) => operation.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** The fragments `operation` spreads, directly or through other fragments. */
export function fragmentsUsedBy(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): FragmentDefinitionNode[] {
  const byName = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) byName.set(definition.name.value, definition);
  const used = new Map<string, FragmentDefinitionNode>();
  const pending: SelectionSetNode[] = [operation.selectionSet];
  while (pending.length > 0) {
    const selectionSet = pending.pop()!;
    visit(selectionSet, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = byName.get(name);
        if (fragment && !used.has(name)) {
          used.set(name, fragment);
          pending.push(fragment.selectionSet);
        }
      },
    });
  }
  return [...used.values()];
}

/** `operation` and the fragments it uses, as one document (what TypeInfo walks to check that operation). */
export function operationDocument(document: DocumentNode, operation: OperationDefinitionNode): DocumentNode {
  return { kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsUsedBy(document, operation)] };
}

/**
 * Variable name → the argument path of its first use in `operation` (fragments included): `$i` in
 * `signUp(input: $i)` → `input`, `$v` in `createEvent(input: { venue: $v })` → `input.venue`.
 */
export function variableArgumentPaths(
  document: DocumentNode,
  operation: OperationDefinitionNode,
): Map<string, string> {
  const paths = new Map<string, string>();
  const tracker = argumentPathTracker();
  for (const definition of [operation, ...fragmentsUsedBy(document, operation)]) {
    visit(definition, {
      enter(node, key) {
        // The operation's own variable definitions are declarations, not uses.
        if (node.kind === Kind.VARIABLE_DEFINITION) return false;
        tracker.enter(node, key as string | number | undefined);
        if (node.kind === Kind.VARIABLE && !paths.has(node.name.value)) {
          const path = tracker.current();
          if (path.length > 0) paths.set(node.name.value, path.join('.'));
        }
        return undefined;
      },
      leave() {
        tracker.leave();
      },
    });
  }
  return paths;
}

/**
 * A client path that starts with a variable name (`i.email`, `x`, `input.venue.lat`, as graphql-js reports a
 * refused variable) rewritten from where the variable is used (`input.email`, `first`, `input.venue.lat`).
 * Unchanged when the variable's use is unknown.
 */
export function variablePathToArgumentPath(
  variablePath: string,
  usages: ReadonlyMap<string, string>,
): string {
  const [variable, ...rest] = variablePath.split('.');
  const usage = variable === undefined ? undefined : usages.get(variable);
  if (!usage) return variablePath;
  return [usage, ...rest].join('.');
}
