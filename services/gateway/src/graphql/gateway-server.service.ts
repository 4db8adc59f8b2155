import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import {
  getLogger,
  graphqlProtection,
  HealthRegistry,
  InjectConfig,
  laneGuardPlugin,
} from '@ticketing/platform';
import type { Request, Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import { subgraphUrls, type GatewayConfig } from '../config';
import { ForwardingDataSource, timedFetcher } from '../forwarding/forwarding-data-source';
import { clientAddressOf } from '../rate-limit/rate-limit.middleware';
import { retryHintPlugin } from './retry-hint.plugin';
import type { GatewayContext } from './gateway-context';
import { createGatewayFormatError } from './gateway-format-error';
import { toHttpGraphQLRequest, writeHttpGraphQLResponse } from './http-graphql-request';

export const SUPERGRAPH_SDL = Symbol('SUPERGRAPH_SDL');

/**
 * Apollo Gateway (query planning over the composed supergraph) inside Apollo Server 5, served by the Nest/Express
 * app. The supergraph comes from the committed file, so start-up never waits for a subgraph.
 */
@Injectable()
export class GatewayServer implements OnModuleInit, OnApplicationShutdown {
  private readonly log = getLogger('gateway');
  private readonly gateway: ApolloGateway;
  private readonly server: ApolloServer<GatewayContext>;
  private loaded = false;
  private apiSchemaValue?: GraphQLSchema;

  constructor(
    @InjectConfig() config: GatewayConfig,
    @Inject(SUPERGRAPH_SDL) supergraphSdl: string,
    private readonly health: HealthRegistry,
  ) {
    const urls = subgraphUrls(config);
    const fetcher = timedFetcher(config.SUBGRAPH_TIMEOUT_MS);
    this.gateway = new ApolloGateway({
      supergraphSdl,
      logger: getLogger('apollo-gateway'),
      buildService: ({ name, url }) => new ForwardingDataSource({ name, url: urls[name] ?? url, fetcher }),
    });
    this.gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
      this.apiSchemaValue = apiSchema;
    });
    // The same limits as every subgraph (platform factory): depth, aliases, cost, tokens, directives,
    // CSRF prevention, no batching, and in production no introspection or suggestions.
    const protection = graphqlProtection(config);
    this.server = new ApolloServer<GatewayContext>({
      // Apollo Server 5 declares the v2 gateway interface; @apollo/gateway 2.x implements the same methods.
      gateway: this.gateway as unknown as ApolloServerOptionsWithGateway<GatewayContext>['gateway'],
      csrfPrevention: protection.csrfPrevention,
      allowBatchedHttpRequests: protection.allowBatchedHttpRequests,
      introspection: protection.introspection,
      // Never a stack trace in an answer, in any mode (development included): it stays in the logs.
      includeStacktraceInErrorResponses: false,
      hideSchemaDetailsFromClientErrors: protection.production,
      validationRules: protection.validationRules,
      parseOptions: protection.parseOptions,
      formatError: createGatewayFormatError({ production: protection.production }),
      plugins: [
        ApolloServerPluginLandingPageDisabled(),
        retryHintPlugin<GatewayContext>(),
        // A client asking for the light shedding lane may run only its operations (the header then goes on).
        laneGuardPlugin<GatewayContext>(config.OVERLOAD_LIGHT_OPERATIONS),
        ...(protection.plugins as ApolloServerPlugin<GatewayContext>[]),
      ],
      logger: getLogger('apollo-server'),
      // Shutdown belongs to terminus and Nest (onApplicationShutdown below). Apollo's own SIGTERM handler
      // would stop the server a second time alongside them and re-send the signal; the shutdown then never
      // finished and the process was killed by its 25 s budget with exit code 1.
      stopOnTerminationSignals: false,
    });
  }

  /** The client-facing schema (for validating WebSocket subscriptions); set once the supergraph is loaded. */
  get apiSchema(): GraphQLSchema | undefined {
    return this.apiSchemaValue;
  }

  async onModuleInit(): Promise<void> {
    this.health.register('supergraph', async () => {
      if (!this.loaded) throw new Error('supergraph not loaded');
    });
    await this.server.start();
    this.loaded = true;
    this.log.info('supergraph loaded');
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.loaded) return;
    this.loaded = false;
    await this.server.stop();
  }

  /** Serves one HTTP GraphQL request (POST or GET on /graphql). */
  async handle(req: Request, res: Response): Promise<void> {
    const result = await this.server.executeHTTPGraphQLRequest({
      httpGraphQLRequest: toHttpGraphQLRequest(req),
      context: async () => ({
        client: { headers: req.headers, clientAddress: clientAddressOf(req), traceId: req.traceId },
        setCookie: (cookie: string) => {
          res.append('Set-Cookie', cookie);
        },
      }),
    });
    await writeHttpGraphQLResponse(result, res);
  }
}
