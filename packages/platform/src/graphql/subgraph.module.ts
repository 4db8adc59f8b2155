import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { ApolloFederationDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GraphQLModule, type BuildSchemaOptions } from '@nestjs/graphql';
import { AccessTokenVerifier } from '../auth/access-token.verifier';
import { RequestAuth, type AuthRequest, type GraphqlRequestContext } from '../auth/auth-context';
import { PLATFORM_CONFIG } from '../config';
import { MetricsService } from '../metrics/metrics.service';
import { DateTimeScalar } from './date-time.scalar';
import { createFormatError } from './format-error';
import { graphqlMetricsPlugin } from './graphql-metrics.plugin';
import { GraphqlExceptionFilter } from './graphql-exception.filter';
import { graphqlProtection, type GraphqlLimits, type GraphqlProtectionConfig } from './graphql-protection';
import { laneGuardPlugin } from '../overload/lane-guard.plugin';
import type { BaseConfig } from '../config/base-config.schema';
import { graphqlWsServerOptions, type GraphqlWsOptions } from './graphql-ws.options';
import { SubgraphFederationDriver } from './subgraph-federation.driver';
import { validationPipe } from './validation.pipe';

export const GRAPHQL_PATH = '/graphql';

export interface SubgraphModuleOptions {
  /** Where to write the generated SDL (e.g. `schema.gql` for composition); in memory when omitted. */
  autoSchemaFile?: string;
  buildSchemaOptions?: BuildSchemaOptions;
  /** Adds service fields to the request context; receives the base context (`req`, `res`, `auth`...). */
  context?: (base: GraphqlRequestContext) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** graphql-ws subscriptions on the same path (`true` for defaults). */
  subscriptions?: boolean | GraphqlWsOptions;
  /** Tighter limits for this subgraph (never looser than the gateway's). */
  limits?: Partial<GraphqlLimits>;
  /** Extra Apollo plugins (metrics, logging...). */
  plugins?: ApolloServerPlugin<BaseContext>[];
  /** Config to read `NODE_ENV` from; defaults to the injected PLATFORM_CONFIG. */
  config?: GraphqlProtectionConfig;
  /** Register validationPipe() and GraphqlExceptionFilter globally (default true). */
  globalPipeAndFilter?: boolean;
}

interface HttpContextArgs {
  req: AuthRequest & object;
  res: unknown;
}

interface WsContextArgs {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra?: { request?: AuthRequest & object };
  connectionInitReceived: boolean;
}

function isWsContext(value: unknown): value is WsContextArgs {
  return !!value && typeof value === 'object' && 'connectionInitReceived' in value && 'extra' in value;
}

/** The request context: `{ req, res, auth }` over HTTP, `{ req, connectionParams, auth }` over graphql-ws. */
function baseContext(args: unknown, verifier: AccessTokenVerifier | undefined): GraphqlRequestContext {
  if (isWsContext(args)) {
    const req = args.extra?.request;
    const connectionParams = args.connectionParams;
    return {
      req,
      connectionParams,
      auth: verifier
        ? new RequestAuth(() => verifier.authenticateConnection(connectionParams, req))
        : undefined,
    };
  }
  const { req, res } = args as HttpContextArgs;
  return { req, res, auth: verifier ? new RequestAuth(() => verifier.authenticateRequest(req)) : undefined };
}

/** The Apollo federation driver options every subgraph shares. */
export function subgraphDriverOptions(
  config: GraphqlProtectionConfig,
  verifier: AccessTokenVerifier | undefined,
  options: SubgraphModuleOptions = {},
  metrics?: MetricsService,
): ApolloFederationDriverConfig {
  const protection = graphqlProtection(config, options.limits);
  const lightOperations =
    (config as Partial<Pick<BaseConfig, 'OVERLOAD_LIGHT_OPERATIONS'>>).OVERLOAD_LIGHT_OPERATIONS ?? [];
  const { limits: _limits, production, plugins, ...apolloProtection } = protection;
  const formatError = createFormatError({ production });
  const wsOptions = options.subscriptions === true ? {} : options.subscriptions || undefined;

  return {
    path: GRAPHQL_PATH,
    autoSchemaFile: { path: options.autoSchemaFile, federation: 2 },
    sortSchema: true,
    // JavaScript Date fields and arguments are the strict RFC 3339 DateTime (a service's own mapping wins).
    buildSchemaOptions: {
      ...options.buildSchemaOptions,
      scalarsMap: [...(options.buildSchemaOptions?.scalarsMap ?? []), { type: Date, scalar: DateTimeScalar }],
    },
    // No landing page in any environment: the schema is explored through the gateway.
    playground: false,
    ...apolloProtection,
    // Inline (ftv1) tracing is on by default in subgraphs and hands resolver timings to any caller
    // that asks with a header; the platform measures with Prometheus instead.
    plugins: [
      ...plugins,
      ApolloServerPluginInlineTraceDisabled(),
      ...(metrics ? [graphqlMetricsPlugin(metrics)] : []),
      // A request in the light lane (OVERLOAD_LIGHT_OPERATIONS) may run only the lane's operations.
      ...(lightOperations.length > 0 ? [laneGuardPlugin(lightOperations)] : []),
      ...(options.plugins ?? []),
    ],
    formatError,
    // Guards and exception filters also run on @ResolveField() methods, so a field is as protected
    // as its class says (mark public entity fields with @Public()).
    fieldResolverEnhancers: ['guards', 'filters'],
    context: async (args: unknown) => {
      const base = baseContext(args, verifier);
      return options.context ? { ...base, ...(await options.context(base)) } : base;
    },
    subscriptions: wsOptions
      ? {
          'graphql-ws': graphqlWsServerOptions(protection, formatError, verifier, {
            ...wsOptions,
            path: wsOptions.path ?? GRAPHQL_PATH,
          }),
        }
      : undefined,
  };
}

@Module({})
class SubgraphModule {}

/**
 * The GraphQL setup of a subgraph: Apollo federation 2, code first, `/graphql`, the shared
 * protections (graphqlProtection), production-safe errors (createFormatError), operation metrics
 * (graphqlMetricsPlugin, when PlatformModule provides MetricsService), the access token
 * verified lazily per request (`context.auth`, `context.user` once guarded) and, unless disabled,
 * the global validationPipe() and GraphqlExceptionFilter. Import it once in the service's AppModule
 * next to `JwtAuthModule.forRoot()`.
 */
export function createSubgraphModule(options: SubgraphModuleOptions = {}): DynamicModule {
  const graphql = GraphQLModule.forRootAsync<ApolloFederationDriverConfig>({
    driver: SubgraphFederationDriver,
    inject: [
      { token: PLATFORM_CONFIG, optional: true },
      { token: AccessTokenVerifier, optional: true },
      { token: MetricsService, optional: true },
    ],
    useFactory: (
      platformConfig?: GraphqlProtectionConfig,
      verifier?: AccessTokenVerifier,
      metrics?: MetricsService,
    ) => {
      const config = options.config ?? platformConfig;
      if (!config)
        throw new Error('createSubgraphModule needs PlatformModule.forRoot() or a `config` option');
      return subgraphDriverOptions(config, verifier, options, metrics);
    },
  });
  const globals =
    options.globalPipeAndFilter === false
      ? []
      : [
          { provide: APP_PIPE, useFactory: () => validationPipe() },
          { provide: APP_FILTER, useClass: GraphqlExceptionFilter },
        ];
  return { module: SubgraphModule, imports: [graphql], providers: globals, exports: [graphql] };
}
