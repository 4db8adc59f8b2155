import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { type ApolloDriverConfig } from '@nestjs/apollo';
import { type INestApplication, Module } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import {
  Args,
  Directive,
  Field,
  type GraphQLFederationFactory,
  GraphQLModule,
  GraphQLSchemaHost,
  ID,
  ObjectType,
  Parent,
  Query,
  registerEnumType,
  ResolveField,
  Resolver,
  ResolveReference,
} from '@nestjs/graphql';
import { graphql, parse, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSubgraphSchemaFromModule, SubgraphFederationDriver } from './subgraph-federation.driver';

enum Genre {
  JAZZ = 'JAZZ',
  ROCK = 'ROCK',
}
registerEnumType(Genre, { name: 'Genre' });

@ObjectType()
@Directive('@key(fields: "id")')
class Show {
  @Field(() => ID) id!: string;
  @Field() title!: string;
  @Field(() => Genre) genre!: Genre;
}

const SHOWS: Record<string, Show> = {
  'show-1': { id: 'show-1', title: 'Jazz at the Docks', genre: Genre.JAZZ },
  'show-2': { id: 'show-2', title: 'Rock Night', genre: Genre.ROCK },
};

@Resolver(() => Show)
class ShowResolver {
  @Query(() => Show, { nullable: true })
  show(@Args('id', { type: () => ID }) id: string): Show | null {
    return SHOWS[id] ?? null;
  }

  @ResolveField(() => String)
  shout(@Parent() show: Show): string {
    return show.title.toUpperCase();
  }

  @ResolveReference()
  resolveReference(reference: { id: string }): Show | null {
    return SHOWS[reference.id] ?? null;
  }
}

@Module({
  imports: [
    GraphQLModule.forRoot<ApolloDriverConfig>({
      driver: SubgraphFederationDriver,
      autoSchemaFile: { federation: 2 },
      sortSchema: true,
      plugins: [ApolloServerPluginInlineTraceDisabled()],
    }),
  ],
  providers: [ShowResolver],
})
class ShowsModule {}

async function run(schema: GraphQLSchema, source: string, variableValues?: Record<string, unknown>) {
  const result = await graphql({ schema, source, variableValues, contextValue: {} });
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data as Record<string, any>;
}

describe('buildSubgraphSchemaFromModule', () => {
  it('builds a federation 2 subgraph from the single module @nestjs/graphql 13 hands over', async () => {
    const schema = buildSubgraphSchemaFromModule({
      typeDefs: parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.12", import: ["@key"])
        type Query { hello: String }
        type Seat @key(fields: "id") { id: ID! row: Int }
      `),
      resolvers: {
        Query: { hello: () => 'hi' },
        Seat: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, row: 7 }) },
      },
    });

    expect(await run(schema, '{ hello }')).toEqual({ hello: 'hi' });
    const data = await run(
      schema,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Seat { id row } } }',
      { r: [{ __typename: 'Seat', id: 's-1' }] },
    );
    expect(data._entities).toEqual([{ id: 's-1', row: 7 }]);
  });
});

describe('SubgraphFederationDriver', () => {
  let app: INestApplication;
  let schema: GraphQLSchema;

  beforeAll(async () => {
    app = await NestFactory.create(ShowsModule, { logger: false });
    await app.init();
    schema = app.get(GraphQLSchemaHost).schema;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('hands the schema build to buildSubgraphSchemaFromModule', async () => {
    const seen: unknown[] = [];
    const spy = {
      generateSchema: (...args: unknown[]) => {
        seen.push(args[1]);
        return Promise.resolve(schema);
      },
    } as unknown as GraphQLFederationFactory;
    const driver = new SubgraphFederationDriver(spy, new ModulesContainer());
    await driver.generateSchema({ autoSchemaFile: { federation: 2 } });
    expect(seen).toEqual([buildSubgraphSchemaFromModule]);
  });

  it('starts a code-first subgraph whose root fields and field resolvers answer', async () => {
    expect(await run(schema, '{ show(id: "show-1") { id title genre shout } }')).toEqual({
      show: { id: 'show-1', title: 'Jazz at the Docks', genre: 'JAZZ', shout: 'JAZZ AT THE DOCKS' },
    });
  });

  it('resolves entities through @ResolveReference', async () => {
    const data = await run(
      schema,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Show { title shout } } }',
      {
        r: [
          { __typename: 'Show', id: 'show-2' },
          { __typename: 'Show', id: 'nope' },
        ],
      },
    );
    expect(data._entities).toEqual([{ title: 'Rock Night', shout: 'ROCK NIGHT' }, null]);
  });

  it('prints the federation 2 SDL the gateway composes', async () => {
    const { _service } = await run(schema, '{ _service { sdl } }');
    expect(_service.sdl).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/federation\/v2\.\d+"/);
    expect(_service.sdl).toMatch(/type Show\s+@key\(fields: "id"\)/);
    expect(_service.sdl).toMatch(/enum Genre/);
  });
});
