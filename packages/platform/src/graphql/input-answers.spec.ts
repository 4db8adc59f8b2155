import { ApolloServer, HeaderMap } from '@apollo/server';
import { buildSchema, type GraphQLFormattedError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createFormatError } from './format-error';
import { graphqlProtection } from './graphql-protection';

const schema = buildSchema(`
  enum Category { MUSIC SPORT }
  enum Direction { ENTRY EXIT }
  input VenueInput { name: String! capacity: Int! }
  input CreateEventInput { title: String! category: Category venue: VenueInput perOrderMax: Int! = 10 }
  input ScanInput { code: String! direction: Direction! = ENTRY }
  input FilterInput { text: String }
  type Event { id: ID! }
  type Query { events(filter: FilterInput, first: Int! = 20): [Event!]! event(id: ID!): Event }
  type Mutation { createEvent(input: CreateEventInput!): Event scan(input: ScanInput!): String }
  type Subscription { ticks: Int }
`);

async function ask(body: Record<string, unknown>) {
  const protection = graphqlProtection({ NODE_ENV: 'test' });
  const server = new ApolloServer({
    schema,
    ...{ csrfPrevention: true, allowBatchedHttpRequests: false },
    plugins: protection.plugins,
    validationRules: protection.validationRules,
    parseOptions: protection.parseOptions,
    includeStacktraceInErrorResponses: false,
    formatError: createFormatError({ production: false }),
    rootValue: { events: () => [], event: () => null, createEvent: () => null, scan: () => 'ok' },
  });
  await server.start();
  const headers = new HeaderMap([['content-type', 'application/json']]);
  const res = await server.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers, search: '', body },
    context: async () => ({}),
  });
  await server.stop();
  const text = res.body.kind === 'complete' ? res.body.string : '';
  return { status: res.status ?? 200, body: JSON.parse(text) as { errors?: GraphQLFormattedError[] } };
}

describe('scratch', () => {
  it('prints', async () => {
    const cases: Record<string, unknown>[] = [
      { query: 'query($f:Int){events(first:$f){id}}', variables: { f: null } },
      { query: 'mutation($p:Int = null){createEvent(input:{title:"x", perOrderMax:$p}){id}}' },
      { query: 'query A{__typename} query B{__typename}', operationName: 'C' },
      { query: 'query A{__typename} query B{__typename}' },
      { query: 'subscription{ticks}' },
      { query: 'mutation{createEvent(input:{title:"x", venue:{name:"a", capacity:1.5}}){id}}' },
      { query: 'mutation{createEvent(input:{title:"x", venue:{name:"a", capacity:"10"}}){id}}' },
      { query: 'mutation{createEvent(input:{venue:{name:"a", capacity:1}}){id}}' },
      { query: 'mutation{createEvent(input:{title:"x", category: music}){id}}' },
      { query: 'mutation{createEvent(input:{title:"x", category: "MUSIC"}){id}}' },
      { query: 'mutation{createEvent(input:{title:"x", foo: 1}){id}}' },
      { query: '{events(first:"5"){id}}' },
      { query: '{event{id}}' },
      { query: 'mutation($i:CreateEventInput!){createEvent(input:$i){id}}', variables: { i: { title: null } } },
      { query: 'mutation($i:CreateEventInput!){createEvent(input:$i){id}}', variables: { i: { title: 'x', venue: { name: 'a', capacity: 1, lat: 1 } } } },
      { query: 'query($x:Int!){events(first:$x){id}}', variables: { x: 'a' } },
      { query: 'query($f:FilterInput){events(filter:$f){id}}', variables: { f: JSON.parse('{"text":'.repeat(10000) + '1' + '}'.repeat(10000)) } },
      { query: `{ events { ${Array.from({ length: 1000 }, () => 'id').join(' ')} } }` },
    ];
    for (const c of cases) console.log(JSON.stringify(c.query).slice(0, 90), JSON.stringify(await ask(c)));
  });
});
