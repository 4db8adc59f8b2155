import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import {
  checkNullArguments,
  checkOperationInputs,
  correctParserWording,
  getLogger,
  graphqlProtection,
  InjectConfig,
  protectionValidationRules,
  stripSuggestions,
  type FormatErrorFn,
  type GraphqlProtection,
} from '@ticketing/platform';
import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  parse,
  print,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
} from 'graphql';
import type { Context, ServerOptions } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import { WebSocketServer } from 'ws';
import { subgraphUrls, type GatewayConfig } from '../config';
import { forwardedHeaders } from '../forwarding/forwarded-headers';
import { createGatewayFormatError } from '../graphql/gateway-format-error';
import { GatewayServer, SUPERGRAPH_SDL } from '../graphql/gateway-server.service';
import { RateLimiterService } from '../rate-limit/rate-limiter.service';
import { resolveClientAddress, type TrustProxyFn } from './client-address';
import { DocumentCache } from './document-cache';
import { routeSubscription, subscriptionOwners, type SubscriptionOwners } from './subscription-routes';
import { forwardSubscription, toWebSocketUrl } from './upstream-subscription';

export const GRAPHQL_PATH = '/graphql';
const MAX_MESSAGE_BYTES = 64 * 1024;
/** How long peers get to answer the close frame at shutdown before their connection is cut. */
const CLOSE_GRACE_MS = 2_000;

type ConnectionParams = Record<string, unknown> | undefined;
interface ProxyContext {
  headers: Record<string, string>;
  connectionParams?: Record<string, unknown>;
}

function refuseUpgrade(
  socket: Duplex,
  status: number,
  reason: string,
  headers: Record<string, string> = {},
): void {
  const lines = [`HTTP/1.1 ${status} ${reason}`, 'Connection: close', 'Content-Length: 0'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  socket.end(`${lines.join('\r\n')}\r\n\r\n`);
}

/**
 * graphql-ws on the same `/graphql` path (WebSocket upgrade). Apollo Gateway does not execute subscriptions, so
 * each subscription is validated against the supergraph's API schema and forwarded over graphql-ws to the one
 * subgraph that owns its root field, with the connection's cookie and authorization. Payloads come back as the
 * subgraph resolved them: no entity fields from other subgraphs are added inside subscription events.
 */
@Injectable()
export class SubscriptionServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('subscriptions');
  private readonly owners: SubscriptionOwners;
  private readonly urls: Record<string, string>;
  private readonly protection: GraphqlProtection;
  private readonly formatError: FormatErrorFn;
  private readonly documents = new DocumentCache();
  private wss?: WebSocketServer;
  private dispose?: () => void | Promise<void>;
  private httpServer?: Server;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    this.handleUpgrade(req, socket, head).catch((err: unknown) => {
      this.log.warn({ err }, 'websocket upgrade failed');
      socket.destroy();
    });
  };

  constructor(
    @InjectConfig() private readonly config: GatewayConfig,
    @Inject(SUPERGRAPH_SDL) supergraphSdl: string,
    private readonly gateway: GatewayServer,
    private readonly limiter: RateLimiterService,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.owners = subscriptionOwners(supergraphSdl);
    this.urls = subgraphUrls(config);
    this.protection = graphqlProtection(config);
    this.formatError = createGatewayFormatError({ production: this.protection.production });
  }

  /** Root Subscription field → owning subgraph, as read from the supergraph. */
  get routes(): SubscriptionOwners {
    return this.owners;
  }

  onApplicationBootstrap(): void {
    const adapter = this.adapterHost.httpAdapter;
    this.httpServer = adapter.getHttpServer() as Server;
    const app = adapter.getInstance() as { get(setting: string): unknown };
    const trust = (app.get('trust proxy fn') as TrustProxyFn | undefined) ?? (() => false);
    this.trust = trust;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
    const options: ServerOptions<ConnectionParams, Extra> = {
      schema: () => this.requireSchema(),
      parse: (source) =>
        typeof source === 'string'
          ? this.documents.parse(source, (text) => parse(text, this.protection.parseOptions))
          : parse(source, this.protection.parseOptions),
      validate: (schema: GraphQLSchema, document: DocumentNode) =>
        this.documents.validate(schema, document, (s, d) => this.validate(s, d)),
      context: (ctx) => this.contextFor(ctx),
      onSubscribe: (ctx, _id, payload) => {
        if (Object.keys(ctx.subscriptions).length > this.config.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return [
            new GraphQLError('Too many subscriptions on this connection.', {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ];
        }
        // A document that does not parse is that subscription's error, not the connection's: graphql-ws would
        // close the whole socket (4500) on a parse that throws, ending every other feed on it. Parsed here (and
        // kept by the cache for graphql-ws's own parse that follows), it is answered on its id alone.
        try {
          if (typeof payload.query !== 'string') throw new GraphQLError('The subscription has no query.');
          this.documents.parse(payload.query, (text) => parse(text, this.protection.parseOptions));
        } catch (error) {
          const message =
            error instanceof GraphQLError
              ? correctParserWording(error.message)
              : 'The query could not be read.';
          return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        return undefined;
      },
      execute: () => ({
        errors: [
          new GraphQLError(
            'Only subscriptions are served over WebSocket; send queries and mutations over HTTP.',
            {
              extensions: { code: 'BAD_REQUEST' },
            },
          ),
        ],
      }),
      subscribe: (args) => {
        const refused = this.refusedInputs(args);
        if (refused.length > 0) return { errors: refused };
        const route = routeSubscription(this.owners, args.document, args.operationName);
        if (!route.ok)
          return { errors: [new GraphQLError(route.message, { extensions: { code: 'BAD_REQUEST' } })] };
        const target = this.urls[route.subgraph];
        if (!target) {
          return {
            errors: [
              new GraphQLError('No subgraph serves this subscription.', {
                extensions: { code: 'BAD_REQUEST' },
              }),
            ],
          };
        }
        const context = args.contextValue as ProxyContext;
        return forwardSubscription({
          url: toWebSocketUrl(target),
          headers: context.headers,
          connectionParams: context.connectionParams,
          query: this.documents.print(args.document, print),
          variables: args.variableValues,
          operationName: args.operationName,
        });
      },
    };
    const server = useServer({ ...options, isProd: this.protection.production }, this.wss);
    this.dispose = () => server.dispose();
    this.httpServer.on('upgrade', this.onUpgrade);
  }

  /**
   * Before Nest closes the HTTP server, which would otherwise wait for every upgraded socket: clients are told
   * to go (1001) and get a short grace to answer; ws would wait 30 s for each peer's answer to the close frame,
   * longer than the pod's whole shutdown budget, so a peer still there after the grace is cut off. Clients
   * reconnect to another replica.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.httpServer?.off('upgrade', this.onUpgrade);
    const wss = this.wss;
    if (!wss) return;
    for (const client of wss.clients) client.close(1001, 'Going away');
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (wss.clients.size > 0 && Date.now() < deadline) await delay(50);
    for (const client of wss.clients) client.terminate();
    await this.dispose?.();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }

  private trust: TrustProxyFn = () => false;

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://gateway.invalid').pathname;
    if (path !== GRAPHQL_PATH) return refuseUpgrade(socket, 404, 'Not Found');
    // Browsers always send Origin on WebSocket upgrades and CORS does not apply: refuse foreign pages here
    // (cross-site WebSocket hijacking would otherwise ride on the session cookie).
    const origin = req.headers.origin;
    if (origin !== undefined && !this.config.CORS_ORIGINS.includes(origin)) {
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    const clientAddress = resolveClientAddress(req, this.trust);
    if (this.limiter.enabled) {
      const decision = await this.limiter.hit(clientAddress);
      if (decision !== 'unavailable' && !decision.allowed) {
        return refuseUpgrade(socket, 429, 'Too Many Requests', {
          'Retry-After': String(decision.retryAfterSeconds),
        });
      }
      if (decision === 'unavailable' && !this.config.RATE_LIMIT_FAIL_OPEN) {
        return refuseUpgrade(socket, 503, 'Service Unavailable', { 'Retry-After': '1' });
      }
    }
    const wss = this.wss;
    if (!wss) return refuseUpgrade(socket, 503, 'Service Unavailable');
    wss.handleUpgrade(req, socket, head, (ws) => {
      Object.assign(req, { clientAddress });
      wss.emit('connection', ws, req);
    });
  }

  private requireSchema(): GraphQLSchema {
    const schema = this.gateway.apiSchema;
    if (!schema) throw new Error('supergraph not loaded');
    return schema;
  }

  private validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
    const errors = validate(schema, document, [
      ...specifiedRules,
      ...protectionValidationRules(this.protection),
    ]);
    // The code (and, for a refused argument value, the field) HTTP clients get for the same document, through
    // the same formatter; no schema hints to strangers in production.
    return errors.map((e) => {
      const error = new GraphQLError(this.protection.production ? stripSuggestions(e.message) : e.message, {
        nodes: e.nodes,
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...e.extensions },
      });
      const out = this.formatError(error.toJSON(), error);
      return new GraphQLError(out.message, { nodes: e.nodes, extensions: out.extensions });
    });
  }

  /**
   * The subscription's inputs checked as an HTTP operation's are, before any subgraph is asked: text, DateTime
   * and nesting (checkOperationInputs), no explicit null into a non-null argument (checkNullArguments), and the
   * variables coerced against the supergraph. Refusals leave formatted as over HTTP: BAD_USER_INPUT, the
   * argument path as `field`, the refused value never quoted back.
   */
  private refusedInputs(args: ExecutionArgs): GraphQLError[] {
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const refused =
      checkOperationInputs(args.schema, args.document, variables, { newlinesEverywhere: true }) ??
      checkNullArguments(args.schema, args.document, args.operationName, variables);
    let errors: readonly GraphQLError[] = refused ? [refused] : [];
    const operation = getOperationAST(args.document, args.operationName);
    if (errors.length === 0 && operation) {
      const coerced = getVariableValues(args.schema, operation.variableDefinitions ?? [], variables, {
        maxErrors: 10,
      });
      errors = coerced.errors ?? [];
    }
    return errors.map((error) => {
      const out = this.formatError(error.toJSON(), error);
      return new GraphQLError(out.message, { nodes: error.nodes, extensions: out.extensions });
    });
  }

  private contextFor(ctx: Context<ConnectionParams, Extra>): ProxyContext {
    const request = ctx.extra.request as IncomingMessage & { clientAddress?: string };
    return {
      headers: forwardedHeaders({ headers: request.headers, clientAddress: request.clientAddress }),
      connectionParams: ctx.connectionParams ?? undefined,
    };
  }
}
