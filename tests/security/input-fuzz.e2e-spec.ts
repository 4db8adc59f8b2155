import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieSession, STRONG_PASSWORD, uniqueEmail, type GraphqlAnswer } from '../support/graphql-client';
import { REPO_ROOT, startStack, type Stack } from '../support/stack';

// Every mutation of the supergraph, through the gateway, with bad input in every text it takes: an over-long
// string, a NUL byte, a value of the wrong type. Whatever the mutation, the answer is a clear refusal (a code and,
// for bad input, the field), never HTTP 500, never INTERNAL_SERVER_ERROR, never a database's words, and never a
// success: nothing was written. The mutations are read from the committed supergraph, so a new one is covered
// the day it is added. Asked by a signed-in organizer (past the authentication check, so the input is validated)
// and by an anonymous client.

const SUPERGRAPH = join(REPO_ROOT, 'services', 'gateway', 'supergraph.graphql');
const schema = buildSchema(readFileSync(SUPERGRAPH, 'utf8'), { assumeValidSDL: true });
const mutations = Object.values(schema.getMutationType()!.getFields());

type Mode = 'over-long' | 'NUL byte' | 'wrong type';
const LONG = 'x'.repeat(5_000);
const NUL = 'a\u0000b';
const LEAKS = /SQLSTATE|postgres|mongo|ferret|E11000|stack|at \w+ \(|\.ts:\d+/i;

/** A value of `type` whose every text is bad the way `mode` says (other leaves: plausible values). */
function valueOf(type: GraphQLInputType, mode: Mode, depth = 0): unknown {
  if (isNonNullType(type)) return valueOf(type.ofType, mode, depth);
  if (isListType(type)) return [valueOf(type.ofType, mode, depth)];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValues()[0]!.value;
  if (isInputObjectType(named)) {
    if (depth > 4) return {};
    return Object.fromEntries(
      Object.values(named.getFields()).map((f) => [f.name, valueOf(f.type, mode, depth + 1)]),
    );
  }
  if (isScalarType(named)) {
    switch (named.name) {
      case 'Int':
        return mode === 'wrong type' ? 'seven' : 1;
      case 'Float':
        return mode === 'wrong type' ? 'seven' : 1.5;
      case 'Boolean':
        return mode === 'wrong type' ? 'yes' : true;
      case 'DateTime':
        return mode === 'wrong type' ? 'next tuesday' : '2031-03-03T10:00:00Z';
      default: // String, ID and other text scalars
        if (mode === 'over-long') return LONG;
        if (mode === 'NUL byte') return NUL;
        return { not: 'text' };
    }
  }
  return null;
}

/** Whether the mutation takes any text at all (otherwise the text modes have nothing to break). */
function takesText(args: readonly GraphQLArgument[]): boolean {
  const seen = new Set<string>();
  const visit = (type: GraphQLInputType): boolean => {
    const named = getNamedType(type);
    if (isScalarType(named)) return !['Int', 'Float', 'Boolean', 'DateTime'].includes(named.name);
    if (!isInputObjectType(named) || seen.has(named.name)) return false;
    seen.add(named.name);
    return Object.values(named.getFields()).some((f) => visit(f.type));
  };
  return args.some((a) => visit(a.type));
}

function documentOf(field: GraphQLField<unknown, unknown>): string {
  const vars = field.args.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(field.type);
  const selection = isScalarType(named) || isEnumType(named) ? '' : ' { __typename }';
  return `mutation Fuzz${vars ? `(${vars})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`;
}

function check(answer: GraphqlAnswer, what: string): void {
  expect(answer.status, `${what}: HTTP status`).not.toBe(500);
  const errors = answer.body.errors ?? [];
  const codes = errors.map((e) => e.extensions?.code);
  expect(codes, `${what}: codes ${JSON.stringify(codes)}`).not.toContain('INTERNAL_SERVER_ERROR');
  expect(JSON.stringify(answer.body), `${what}: leaks`).not.toMatch(LEAKS);
  // Refused, with a code: nothing was written.
  const field = answer.body.data ? Object.values(answer.body.data)[0] : null;
  expect(field ?? null, `${what}: answered data ${JSON.stringify(answer.body.data)}`).toBeNull();
  if (answer.status !== 413) expect(errors.length, `${what}: no error`).toBeGreaterThan(0);
  for (const e of errors) expect(e.extensions?.code, `${what}: an error without a code`).toBeTruthy();
}

describe('bad input at every mutation, through the gateway (over-long, NUL, wrong type)', () => {
  let stack: Stack;
  let organizer: CookieSession;
  let anonymous: CookieSession;

  beforeAll(async () => {
    stack = await startStack('fuzz', { checkin: true, pricing: true });
    const headers = (n: number) => ({
      origin: 'http://app.test',
      'apollo-require-preflight': 'true',
      'x-forwarded-for': `198.51.100.${n}`,
    });
    organizer = new CookieSession(stack.graphqlUrl, headers(1));
    anonymous = new CookieSession(stack.graphqlUrl, headers(2));
    const signedUp = await organizer.post(
      `mutation S($input: SignUpInput!) { signUp(input: $input) { user { id } } }`,
      {
        input: {
          email: uniqueEmail('fuzz-organizer'),
          password: STRONG_PASSWORD,
          name: 'Fuzz Organizer',
          role: 'ORGANIZER',
        },
      },
    );
    expect(signedUp.body.errors).toBeUndefined();
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  it('covers every mutation of the supergraph', () => {
    expect(mutations.length).toBeGreaterThanOrEqual(27);
  });

  for (const mode of ['over-long', 'NUL byte', 'wrong type'] as const) {
    it(`${mode}: every mutation refuses with a code, never 500 or INTERNAL_SERVER_ERROR, and writes nothing`, async () => {
      let asked = 0;
      for (const field of mutations) {
        if (mode !== 'wrong type' && !takesText(field.args)) continue;
        if (field.args.length === 0) continue;
        const variables = Object.fromEntries(field.args.map((a) => [a.name, valueOf(a.type, mode)]));
        for (const [who, session] of [
          ['organizer', organizer],
          ['anonymous', anonymous],
        ] as const) {
          check(await session.post(documentOf(field), variables), `${field.name} (${mode}, ${who})`);
          asked += 1;
        }
      }
      expect(asked).toBeGreaterThan(20);
    }, 180_000);
  }
});
