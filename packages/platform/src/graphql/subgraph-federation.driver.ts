import { buildSubgraphSchema } from '@apollo/subgraph';
import { ApolloFederationDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Injectable } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { GraphQLFederationFactory, type BuildFederatedSchemaOptions } from '@nestjs/graphql';
import type { GraphQLSchema } from 'graphql';

/**
 * Builds the subgraph schema from the one module @nestjs/graphql generates, handed over as a list:
 * @apollo/subgraph 2.15 reads a lone `{ typeDefs, resolvers }` as an SDL document and fails
 * (`doc.definitions is not iterable`), while the list form is accepted by every 2.x.
 */
export function buildSubgraphSchemaFromModule(module: BuildFederatedSchemaOptions): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: module.typeDefs, resolvers: module.resolvers }]);
}

/**
 * ApolloFederationDriver with the schema built by buildSubgraphSchemaFromModule. @nestjs/graphql 13
 * passes the single module itself; its 14.x passes the list but needs Nest 12 (ESM only). Drop this
 * driver for `ApolloFederationDriver` when the repository moves to Nest 12.
 */
@Injectable()
export class SubgraphFederationDriver extends ApolloFederationDriver {
  constructor(
    private readonly federationFactory: GraphQLFederationFactory,
    modulesContainer: ModulesContainer,
  ) {
    super(federationFactory, modulesContainer);
  }

  override generateSchema(options: ApolloDriverConfig): Promise<GraphQLSchema> {
    return this.federationFactory.generateSchema(options, buildSubgraphSchemaFromModule);
  }
}
