import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkNullArguments } from './null-arguments';

const schema = buildSchema(`
  enum Direction { ENTRY EXIT }
  input ScanInput { code: String! direction: Direction! = ENTRY gates: [String!] }
  type Event { id: ID! tickets(first: Int! = 10): [String!]! }
  type Query { events(first: Int! = 20, after: String): [Event!]! }
  type Mutation { scan(input: ScanInput!): String }
`);

const check = (query: string, variables: Record<string, unknown> = {}, operationName?: string) => {
  const error = checkNullArguments(schema, parse(query), operationName, variables);
  return error && { message: error.message, ...error.extensions };
};

describe('checkNullArguments', () => {
  it('refuses an explicit null (sent, or the variable’s own default) where a non-null type is expected', () => {
    expect(check('query($f: Int) { events(first: $f) { id } }', { f: null })).toEqual({
      message: 'first must not be null',
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    expect(
      check('mutation($d: Direction = null) { scan(input: { code: "c", direction: $d }) }'),
    ).toMatchObject({
      field: 'input.direction',
    });
  });

  it('lets through what the argument’s default covers, nullable positions and non-null variables', () => {
    expect(check('query($f: Int) { events(first: $f) { id } }')).toBeNull();
    expect(check('query($f: Int = 5) { events(first: $f) { id } }')).toBeNull();
    expect(check('query($a: String) { events(after: $a) { id } }', { a: null })).toBeNull();
    // Non-null variables are refused by variable coercion itself, with its own message.
    expect(check('query($f: Int!) { events(first: $f) { id } }', { f: null })).toBeNull();
  });

  it('follows the fragments of the selected operation, and only that operation', () => {
    const document = `
      query A($f: Int) { events { ...E } }
      query B($f: Int) { events { id } }
      fragment E on Event { tickets(first: $f) }
    `;
    expect(check(document, { f: null }, 'A')).toMatchObject({ field: 'first' });
    expect(check(document, { f: null }, 'B')).toBeNull();
    // No operation can be picked: nothing to check here (the operation check answers that).
    expect(check(document, { f: null })).toBeNull();
  });
});
