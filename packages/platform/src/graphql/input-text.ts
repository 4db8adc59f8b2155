import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Extensions } from '@nestjs/graphql';
import {
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isScalarType,
  Kind,
  TypeInfo,
  valueFromASTUntyped,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { badInput } from './errors';
import { dateTimeProblem } from './date-time.scalar';

/** Field/argument extension that lets a text input keep line breaks and tabs (never U+0000). */
export const MULTILINE_TEXT_EXTENSION = 'multilineText';

/**
 * Marks a GraphQL input field (or argument) as multi-line text: it may contain `\n`, `\r` and `\t`.
 * Every other text input refuses all control characters. Use on `@Field()` properties of input types.
 */
export const MultilineText = (): PropertyDecorator & MethodDecorator =>
  Extensions({ [MULTILINE_TEXT_EXTENSION]: true });

// C0 controls, DEL and C1 controls; bidirectional embeddings, overrides, isolates and marks; zero-width
// characters (space, non-joiner, joiner, word joiner, BOM). Lone surrogates are checked separately.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const ZERO_WIDTH = /[\u200b-\u200d\u2060\ufeff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// Noncharacters (U+FDD0..U+FDEF and the last two code points of every plane): never meant for interchange,
// and a name made of them shows as nothing or as boxes.
const NONCHARACTER =
  /[\ufdd0-\ufdef\ufffe\uffff]|[\u{1fffe}\u{1ffff}\u{2fffe}\u{2ffff}\u{3fffe}\u{3ffff}\u{4fffe}\u{4ffff}\u{5fffe}\u{5ffff}\u{6fffe}\u{6ffff}\u{7fffe}\u{7ffff}\u{8fffe}\u{8ffff}\u{9fffe}\u{9ffff}\u{afffe}\u{affff}\u{bfffe}\u{bffff}\u{cfffe}\u{cffff}\u{dfffe}\u{dffff}\u{efffe}\u{effff}\u{ffffe}\u{fffff}\u{10fffe}\u{10ffff}]/u;
const MULTILINE_ALLOWED = new Set(['\n', '\r', '\t']);
// Unicode line and paragraph separators: line breaks too, so only multi-line text may hold them.
const LINE_SEPARATOR = /[\u2028\u2029]/;

const codePoint = (ch: string) => `U+${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Why `value` is not acceptable text (null when it is). */
export function textProblem(value: string, multiline: boolean): string | null {
  const separator = multiline ? undefined : LINE_SEPARATOR.exec(value)?.[0];
  if (separator) return `contains a line separator (${codePoint(separator)})`;
  for (const pattern of [CONTROL, BIDI, ZERO_WIDTH, LONE_SURROGATE, NONCHARACTER]) {
    const found = pattern === CONTROL ? firstControl(value, multiline) : pattern.exec(value)?.[0];
    if (found === undefined) continue;
    if (pattern === LONE_SURROGATE) return 'contains an unpaired surrogate (invalid Unicode)';
    if (pattern === CONTROL) return `contains a control character (${codePoint(found)})`;
    if (pattern === BIDI) return `contains a bidirectional control character (${codePoint(found)})`;
    if (pattern === NONCHARACTER)
      return `contains a noncharacter (U+${found.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
    return `contains a zero-width character (${codePoint(found)})`;
  }
  return null;
}

function firstControl(value: string, multiline: boolean): string | undefined {
  if (!CONTROL.test(value)) return undefined;
  for (const ch of value) {
    if (CONTROL.test(ch) && !(multiline && MULTILINE_ALLOWED.has(ch))) return ch;
  }
  return undefined;
}

const isMultiline = (extensions: unknown): boolean =>
  !!extensions && (extensions as Record<string, unknown>)[MULTILINE_TEXT_EXTENSION] === true;

/**
 * Deepest nesting of objects and lists a client value may have (an argument is level 1). Every walk over a
 * client's value is bounded by it, so a value nested ten thousand levels deep (an 80 kB body) is refused with
 * its argument path instead of exhausting the stack; real inputs here are a handful of levels deep.
 */
export const MAX_INPUT_DEPTH = 32;

class InputRefusal extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
    /** The value is nested too deeply: a malformed request (HTTP 400), not a text the field refuses. */
    readonly tooDeep = false,
  ) {
    super(problem);
  }
}

/** Refuses a value nested deeper than MAX_INPUT_DEPTH, naming the argument it was given in. */
function checkDepth(depth: number, argument: string): void {
  if (depth > MAX_INPUT_DEPTH)
    throw new InputRefusal(argument, `is nested more than ${MAX_INPUT_DEPTH} levels deep`, true);
}

/** Where a walk is: the dotted path, the argument it started from, and how deep it is. */
interface WalkPosition {
  path: string;
  argument: string;
  depth: number;
}

const child = (at: WalkPosition, key: string | number): WalkPosition => ({
  path: `${at.path}.${key}`,
  argument: at.argument,
  depth: at.depth + 1,
});

/** Checks every string inside a value whose type says nothing about its shape (`_Any`, JSON...). */
function checkUntyped(value: unknown, at: WalkPosition, multiline: boolean): void {
  if (typeof value === 'string') {
    const problem = textProblem(value, multiline);
    if (problem) throw new InputRefusal(at.path, problem);
  } else if (Array.isArray(value)) {
    checkDepth(at.depth + 1, at.argument);
    value.forEach((item, i) => checkUntyped(item, child(at, i), multiline));
  } else if (value && typeof value === 'object') {
    checkDepth(at.depth + 1, at.argument);
    for (const [key, item] of Object.entries(value)) {
      const problem = textProblem(key, false);
      if (problem) throw new InputRefusal(at.path, problem);
      checkUntyped(item, child(at, key), multiline);
    }
  }
}

function checkTyped(
  value: unknown,
  type: GraphQLInputType,
  at: WalkPosition,
  multiline: boolean,
  everywhere: boolean,
): void {
  if (value === null || value === undefined) return;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) {
      checkTyped(value, nullable.ofType, at, multiline, everywhere);
      return;
    }
    checkDepth(at.depth + 1, at.argument);
    value.forEach((item, i) => checkTyped(item, nullable.ofType, child(at, i), multiline, everywhere));
    return;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object' || Array.isArray(value)) return;
    checkDepth(at.depth + 1, at.argument);
    const fields = nullable.getFields();
    for (const [key, item] of Object.entries(value)) {
      const field = fields[key];
      const next = child(at, key);
      if (field) checkTyped(item, field.type, next, everywhere || isMultiline(field.extensions), everywhere);
      else checkUntyped(item, next, everywhere);
    }
    return;
  }
  if (isEnumType(nullable)) return;
  if (isScalarType(nullable) && nullable.name === 'DateTime') {
    const problem = dateTimeProblem(value);
    if (problem) throw new InputRefusal(at.path, problem);
    return;
  }
  checkUntyped(value, at, multiline);
}

export interface InputCheckOptions {
  /**
   * Allow `\n`, `\r`, `\t` in every field (the gateway: its supergraph has no field extensions, so each
   * subgraph applies the precise rule). Default: only fields marked with `MultilineText()`.
   */
  newlinesEverywhere?: boolean;
}

/**
 * The first argument value of `document` (literal or variable, at any depth) that is not acceptable
 * text or not a valid DateTime, as a BAD_USER_INPUT error naming its path (`input.title`, `id`); null
 * when every input is fine. A value nested deeper than MAX_INPUT_DEPTH is refused naming the argument it
 * was given in (`filter is nested more than 32 levels deep`): no walk over a client's value goes deeper.
 */
export function checkOperationInputs(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Readonly<Record<string, unknown>> = {},
  options: InputCheckOptions = {},
): GraphQLError | null {
  const typeInfo = new TypeInfo(schema);
  let refusal: InputRefusal | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if (refusal) return false;
        const arg = typeInfo.getArgument();
        if (!arg) return false;
        const value =
          node.value.kind === Kind.VARIABLE
            ? variables[node.value.name.value]
            : valueFromASTUntyped(node.value, variables);
        const everywhere = options.newlinesEverywhere === true;
        try {
          const at = { path: node.name.value, argument: node.name.value, depth: 0 };
          checkTyped(value, arg.type, at, everywhere || isMultiline(arg.extensions), everywhere);
        } catch (error) {
          if (!(error instanceof InputRefusal)) throw error;
          refusal = error;
        }
        return false;
      },
    }),
  );
  if (!refusal) return null;
  const { field, problem, tooDeep } = refusal as InputRefusal;
  const error = badInput(field, `${field} ${problem}`);
  if (tooDeep) TOO_DEEP.add(error);
  return error;
}

/** Refusals of a value nested too deeply (see MAX_INPUT_DEPTH). */
const TOO_DEEP = new WeakSet<GraphQLError>();

/** The HTTP status a refusal of checkOperationInputs is answered with: 400 for a value nested too deeply, else 200. */
export function inputRefusalStatus(error: GraphQLError): number {
  return TOO_DEEP.has(error) ? 400 : 200;
}

/**
 * The one place text inputs are checked: before execution, every argument of the operation (inline
 * literals and variables, nested input objects and lists, plain `String`/`ID` arguments, entity
 * representations) is refused with BAD_USER_INPUT and its path when it holds U+0000 or another control
 * character (`\n`, `\r`, `\t` only in `MultilineText()` fields), an unpaired surrogate, a bidirectional
 * control or a zero-width character; DateTime values must be RFC 3339 with an offset. A subgraph (its
 * schema has `_service`) applies the field marks; elsewhere (the gateway) line breaks pass and the
 * subgraph decides. Answers HTTP 200 like any other refused input, so the gateway relays code and field;
 * a value nested deeper than MAX_INPUT_DEPTH is a malformed request and answers HTTP 400.
 */
export function inputTextPlugin(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          const isSubgraph = !!schema.getQueryType()?.getFields()['_service'];
          const error = checkOperationInputs(schema, document, request.variables ?? {}, {
            newlinesEverywhere: !isSubgraph,
          });
          if (error) {
            Object.assign(error.extensions, { http: { status: inputRefusalStatus(error) } });
            throw error;
          }
        },
      };
    },
  };
}
