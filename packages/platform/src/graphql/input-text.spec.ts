import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import {
  checkOperationInputs,
  inputRefusalStatus,
  MAX_INPUT_DEPTH,
  MULTILINE_TEXT_EXTENSION,
  textProblem,
} from './input-text';

const schema = buildSchema(`
  scalar DateTime
  scalar _Any
  enum Kind { A B }
  input VenueInput { name: String! city: String }
  input EventInput {
    title: String!
    description: String
    venue: VenueInput
    tags: [String!]
    kind: Kind
    startsAt: DateTime
  }
  type Query { event(id: ID!): String _entities(representations: [_Any!]!): [String] _service: String }
  type Mutation { createEvent(input: EventInput!): String note(text: String): String }
`);
// Code first, MultilineText() puts this extension on the field; here it is set by hand.
const eventInput = schema.getType('EventInput') as unknown as {
  getFields(): Record<string, { extensions: Record<string, unknown> }>;
};
eventInput.getFields()['description']!.extensions = { [MULTILINE_TEXT_EXTENSION]: true };

const check = (query: string, variables: Record<string, unknown> = {}, newlinesEverywhere = false) => {
  const error = checkOperationInputs(schema, parse(query), variables, { newlinesEverywhere });
  return error && { code: error.extensions.code, field: error.extensions.field, message: error.message };
};

describe('textProblem', () => {
  it.each([
    ['nul', 'a\u0000b'],
    ['bell', 'a\u0007b'],
    ['escape', '\u001b[31m'],
    ['delete', 'a\u007f'],
    ['C1 control', 'a\u0085'],
    ['right-to-left override', 'evil\u202Etxt.exe'],
    ['left-to-right isolate', 'a\u2066b'],
    ['right-to-left mark', 'a\u200fb'],
    ['zero-width space', 'Ber\u200blin'],
    ['zero-width joiner', 'a\u200db'],
    ['byte order mark', '\ufeffBerlin'],
    ['lone high surrogate', 'a\ud800b'],
    ['lone low surrogate', 'a\udc00b'],
    ['noncharacter U+FFFF', '\uffff\ufffe'],
    ['noncharacter U+FDD0', 'a\ufdd0'],
    ['supplementary noncharacter U+1FFFF', 'a\u{1ffff}'],
  ])('refuses a %s everywhere', (_name, value) => {
    expect(textProblem(value, false)).toEqual(expect.any(String));
    expect(textProblem(value, true)).toEqual(expect.any(String));
  });

  it('lets multi-line text keep line breaks and tabs, but never U+0000', () => {
    expect(textProblem('line 1\r\nline 2\tend', true)).toBeNull();
    expect(textProblem('line 1\nline 2', false)).toMatch(/U\+000A/);
    expect(textProblem('a\u0000', true)).toMatch(/U\+0000/);
    expect(textProblem('para\u2029graph', true)).toBeNull();
    expect(textProblem('Ada\u2028Lovelace', false)).toMatch(/U\+2028/);
  });

  it('accepts ordinary Unicode (accents, CJK, emoji as surrogate pairs)', () => {
    expect(textProblem('Zürich — 東京 🎸', false)).toBeNull();
    // Neighbours of the noncharacters are ordinary: U+FDCF, U+FFFD (replacement), U+1FFFD.
    expect(textProblem('\ufdcf\ufffd\u{1fffd}', false)).toBeNull();
    expect(textProblem('x\u{10ffff}', false)).toMatch(/U\+10FFFF/);
  });
});

describe('checkOperationInputs', () => {
  it('names the field of a bad variable, nested or in a list', () => {
    const q = 'mutation($i: EventInput!) { createEvent(input: $i) }';
    expect(check(q, { i: { title: 'T\u0000' } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.title',
    });
    expect(check(q, { i: { title: 'T', venue: { name: 'Hall', city: 'Ber\u200blin' } } })).toMatchObject({
      field: 'input.venue.city',
    });
    expect(check(q, { i: { title: 'T', tags: ['ok', 'b\u202ed'] } })).toMatchObject({
      field: 'input.tags.1',
    });
    expect(check(q, { i: { title: 'T', description: 'two\nlines\tok' } })).toBeNull();
    expect(check(q, { i: { title: 'T', description: 'nul\u0000' } })).toMatchObject({
      field: 'input.description',
    });
    expect(check(q, { i: { title: 'two\nlines' } })).toMatchObject({ field: 'input.title' });
  });

  it('checks inline literals and plain String/ID arguments the same way', () => {
    expect(check('mutation { createEvent(input: { title: "a\\u0000b" }) }')).toMatchObject({
      field: 'input.title',
    });
    expect(check('query { event(id: "abc\\u0000") }')).toMatchObject({ field: 'id' });
    expect(check('query($id: ID!) { event(id: $id) }', { id: 'x\u0007' })).toMatchObject({ field: 'id' });
    expect(check('mutation { note(text: "fine") }')).toBeNull();
  });

  it('checks every string inside entity representations', () => {
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) }';
    expect(
      check(q, {
        r: [
          { __typename: 'Event', id: 'ok' },
          { __typename: 'Event', id: 'x\u0000' },
        ],
      }),
    ).toMatchObject({ field: 'representations.1.id' });
  });

  it('refuses a DateTime that is not RFC 3339 with an offset, naming the field', () => {
    const q = 'mutation($i: EventInput!) { createEvent(input: $i) }';
    expect(check(q, { i: { title: 'T', startsAt: '2031-02-30T10:00:00Z' } })).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.startsAt',
    });
    expect(check(q, { i: { title: 'T', startsAt: 0 } })).toMatchObject({ field: 'input.startsAt' });
    expect(check(q, { i: { title: 'T', startsAt: '2031-03-03T10:00:00+01:00' } })).toBeNull();
  });

  it('at the gateway (newlines everywhere) still refuses U+0000 and friends', () => {
    const q = 'mutation($i: EventInput!) { createEvent(input: $i) }';
    expect(check(q, { i: { title: 'two\nlines' } }, true)).toBeNull();
    expect(check(q, { i: { title: 'a\u0000' } }, true)).toMatchObject({ field: 'input.title' });
  });

  it('refuses a value nested too deeply (HTTP 400), naming the argument, instead of exhausting the stack', () => {
    const nested = (levels: number, leaf: unknown): unknown => {
      let value = leaf;
      for (let i = 0; i < levels; i += 1) value = { title: value };
      return value;
    };
    const q = 'mutation($i: EventInput!) { createEvent(input: $i) }';
    // 10,000 levels where a String is expected (the auditor's 80 kB body): a refusal, not a RangeError.
    const error = checkOperationInputs(schema, parse(q), { i: nested(10_000, 'x') });
    expect(error && { code: error.extensions.code, field: error.extensions.field }).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input',
    });
    expect(error?.message).toBe(`input is nested more than ${MAX_INPUT_DEPTH} levels deep`);
    expect(inputRefusalStatus(error!)).toBe(400);
    // Untyped values (entity representations) and lists are bounded the same way.
    const lists = JSON.parse(`${'['.repeat(5_000)}"x"${']'.repeat(5_000)}`) as unknown;
    expect(check('query($r: [_Any!]!) { _entities(representations: $r) }', { r: [lists] })).toMatchObject({
      field: 'representations',
    });
    // Up to the limit is fine; a text refusal stays HTTP 200.
    expect(check(q, { i: { title: 'T', venue: { name: 'Hall', city: 'Berlin' } } })).toBeNull();
    expect(
      check('query($r: [_Any!]!) { _entities(representations: $r) }', {
        r: [nested(MAX_INPUT_DEPTH - 2, 'x')],
      }),
    ).toBeNull();
    const text = checkOperationInputs(schema, parse(q), { i: { title: 'a\u0000' } });
    expect(inputRefusalStatus(text!)).toBe(200);
  });
});
