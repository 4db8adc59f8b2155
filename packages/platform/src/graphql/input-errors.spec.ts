import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import {
  buildSchema,
  parse,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLFormattedError,
  type FormattedExecutionResult,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { createFormatError } from './format-error';
import { graphqlProtection } from './graphql-protection';
import { graphqlWsServerOptions } from './graphql-ws.options';

// A subgraph's own answers to bad input, through Apollo Server's real HTTP pipeline with the platform's
// protections and formatter: whichever way a value arrives (inline literal, variable, WebSocket), the answer is
// BAD_USER_INPUT (or BAD_REQUEST for the request's shape) with the ARGUMENT path as the field, never a 5xx.

const schema = buildSchema(`
  enum Category { MUSIC SPORT }
  enum Direction { ENTRY EXIT }
  input VenueInput { name: String! capacity: Int! }
  input CreateEventInput { title: String! category: Category venue: VenueInput perOrderMax: Int! = 10 }
  input FilterInput { text: String }
  type Event { id: ID! }
  type Query { events(filter: FilterInput, first: Int! = 20): [Event!]! event(id: ID!): Event }
  type Mutation { createEvent(input: CreateEventInput!): Event }
  type Subscription { priceChanged(eventId: ID!): Int }
`);
const rootValue = {
  events: () => [],
  event: () => null,
  createEvent: () => ({ id: 'e1' }),
  priceChanged: async function* () {
    yield { priceChanged: 1 };
  },
};

interface Answer {
  status: number;
  errors: GraphQLFormattedError[];
}

/** One request through an Apollo Server built like a subgraph's (or with only `plugins` when given). */
async function ask(body: Record<string, unknown>, plugins?: ApolloServerPlugin[]): Promise<Answer> {
  const protection = graphqlProtection({ NODE_ENV: 'production' });
  const server = new ApolloServer({
    schema,
    rootValue,
    plugins: plugins ?? protection.plugins,
    validationRules: protection.validationRules,
    parseOptions: protection.parseOptions,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    formatError: createFormatError({ production: true }),
  });
  await server.start();
  try {
    const res = await server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: {
        method: 'POST',
        headers: new HeaderMap([['content-type', 'application/json']]),
        search: '',
        body,
      },
      context: async () => ({}),
    });
    const text = res.body.kind === 'complete' ? res.body.string : '';
    return { status: res.status ?? 200, errors: (JSON.parse(text) as Answer).errors ?? [] };
  } finally {
    await server.stop();
  }
}

const CREATE = 'mutation($payload: CreateEventInput!) { createEvent(input: $payload) { id } }';

describe('bad input at a subgraph (Apollo pipeline, platform protections)', () => {
  it('M2: an explicit null into a non-null argument with a default is BAD_USER_INPUT naming it', async () => {
    const first = await ask({ query: 'query($f: Int) { events(first: $f) { id } }', variables: { f: null } });
    expect(first).toEqual({
      status: 400,
      errors: [{ message: 'first must not be null', extensions: { code: 'BAD_USER_INPUT', field: 'first' } }],
    });
    const nested = await ask({
      query: 'mutation($p: Int = null) { createEvent(input: { title: "t", perOrderMax: $p }) { id } }',
    });
    expect(nested.errors[0]).toEqual({
      message: 'input.perOrderMax must not be null',
      extensions: { code: 'BAD_USER_INPUT', field: 'input.perOrderMax' },
    });
  });

  it('M2: the formatter alone maps what graphql-js refuses while executing (no INTERNAL_SERVER_ERROR)', async () => {
    const first = await ask(
      { query: 'query($f: Int) { events(first: $f) { id } }', variables: { f: null } },
      [],
    );
    expect(first.errors).toEqual([
      expect.objectContaining({
        message: 'first must not be null',
        extensions: { code: 'BAD_USER_INPUT', field: 'first' },
      }),
    ]);
    const nested = await ask(
      {
        query: 'mutation($p: Int) { createEvent(input: { title: "t", perOrderMax: $p }) { id } }',
        variables: { p: null },
      },
      [],
    );
    expect(nested.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input' });
  });

  it('M3: a variable nested 10,000 levels deep is HTTP 400 naming the argument', async () => {
    const deep = JSON.parse(`{"f":${'{"text":'.repeat(10_000)}"x"${'}'.repeat(10_000)}}`) as Record<
      string,
      unknown
    >;
    const answer = await ask({
      query: 'query($f: FilterInput) { events(filter: $f) { id } }',
      variables: deep,
    });
    expect(answer.status).toBe(400);
    expect(answer.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'filter' });
  });

  it('M4/M5: an unknown operation name, a missing one, a subscription over HTTP: BAD_REQUEST, HTTP 400', async () => {
    const unknown = await ask({ query: 'query A { __typename } query B { __typename }', operationName: 'C' });
    expect(unknown).toEqual({
      status: 400,
      errors: [
        {
          message: 'Unknown operation named "C".',
          extensions: { code: 'BAD_REQUEST', field: 'operationName' },
        },
      ],
    });
    const missing = await ask({ query: 'query A { __typename } query B { __typename }' });
    expect(missing.status).toBe(400);
    expect(missing.errors[0]?.extensions).toEqual({ code: 'BAD_REQUEST', field: 'operationName' });
    const subscription = await ask({ query: 'subscription { priceChanged(eventId: "e") }' });
    expect(subscription).toEqual({
      status: 400,
      errors: [
        {
          message: 'Subscriptions are served over WebSocket (graphql-transport-ws) on /graphql',
          extensions: { code: 'BAD_REQUEST', field: null },
        },
      ],
    });
  });

  it.each([
    ['input.venue.capacity', 'createEvent(input: { title: "t", venue: { name: "n", capacity: 1.5 } })'],
    ['input.venue.capacity', 'createEvent(input: { title: "t", venue: { name: "n", capacity: "10" } })'],
    [
      'input.venue.capacity',
      'createEvent(input: { title: "t", venue: { name: "n", capacity: 2147483648 } })',
    ],
    ['input.title', 'createEvent(input: { title: 5 })'],
    ['input.title', 'createEvent(input: { category: MUSIC })'],
    ['input.category', 'createEvent(input: { title: "t", category: music })'],
    ['input.category', 'createEvent(input: { title: "t", category: "MUSIC" })'],
    ['input.foo', 'createEvent(input: { title: "t", foo: 1 })'],
    ['input.venue.name', 'createEvent(input: { title: "t", venue: { capacity: 1 } })'],
  ])('M6: an inline literal refused at %s', async (field, selection) => {
    const answer = await ask({ query: `mutation { ${selection} { id } }` });
    expect(answer.status).toBe(400);
    expect(answer.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field });
  });

  it('M6: query arguments too (`first: "5"`, a required `id` left out)', async () => {
    expect((await ask({ query: '{ events(first: "5") { id } }' })).errors[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    expect((await ask({ query: '{ event { id } }' })).errors[0]?.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'id',
    });
  });

  it('M9: a refused variable names the argument path it is used at', async () => {
    const email = await ask({ query: CREATE, variables: { payload: { title: null } } });
    expect(email.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.title' });
    const first = await ask({ query: 'query($x: Int!) { events(first: $x) { id } }', variables: { x: 'a' } });
    expect(first.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    const lat = await ask({
      query: CREATE,
      variables: { payload: { title: 't', venue: { name: 'n', capacity: 1, lat: 1 } } },
    });
    expect(lat.errors[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.venue.lat' });
    expect(lat.errors[0]?.message).toMatch(/Field "lat" is not defined by type "VenueInput"/);
  });

  it('L2: the token limit says "more than"', async () => {
    const fields = Array.from({ length: 1000 }, () => 'id').join(' ');
    const answer = await ask({ query: `{ events { ${fields} } }` });
    expect(answer.errors[0]?.message).toBe(
      'Syntax Error: Document contains more than 1000 tokens. Parsing aborted.',
    );
  });
});

describe('bad variables over graphql-ws at a subgraph', () => {
  const protection = graphqlProtection({ NODE_ENV: 'production' });
  const options = graphqlWsServerOptions(protection, createFormatError({ production: true }), undefined, {
    path: '/graphql',
  }) as unknown as {
    subscribe(args: unknown): Promise<ExecutionResult> | ExecutionResult;
    validate(schema: unknown, document: unknown): GraphQLError[];
    onError(
      ctx: unknown,
      id: string,
      payload: unknown,
      errors: readonly GraphQLError[],
    ): GraphQLFormattedError[];
    onNext(
      ctx: unknown,
      id: string,
      payload: unknown,
      args: unknown,
      result: ExecutionResult,
    ): FormattedExecutionResult;
  };
  const run = async (query: string, variableValues: Record<string, unknown>) => {
    const result = await options.subscribe({ schema, document: parse(query), variableValues, rootValue });
    return options.onNext(undefined, '1', {}, {}, result).errors ?? [];
  };

  it('L4: BAD_USER_INPUT with the argument path, the value not quoted back', async () => {
    const errors = await run('subscription($e: ID!) { priceChanged(eventId: $e) }', { e: 1.5 });
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'Variable "$e" got an invalid value; ID cannot represent value: 1.5',
        extensions: { code: 'BAD_USER_INPUT', field: 'eventId' },
      }),
    ]);
    const missing = await run('subscription($e: ID!) { priceChanged(eventId: $e) }', {});
    expect(missing[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'eventId' });
  });

  it('M6: an inline literal refused by validation gets the same code and field as over HTTP', () => {
    const errors = options.validate(schema, parse('subscription { priceChanged(eventId: 1.5) }'));
    expect(options.onError(undefined, '1', {}, errors)).toEqual([
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'eventId' } }),
    ]);
    const unknown = options.validate(schema, parse('subscription { nope }'));
    expect(options.onError(undefined, '1', {}, unknown)[0]?.extensions).toEqual({
      code: 'GRAPHQL_VALIDATION_FAILED',
      field: null,
    });
  });
});
