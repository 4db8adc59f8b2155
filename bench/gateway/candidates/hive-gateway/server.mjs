#!/usr/bin/env node
// Throwaway prototype for the gateway runtime comparison (bench/gateway/REPORT.md): The Guild's Hive Gateway
// runtime serving the committed supergraph (services/gateway/supergraph.graphql) on node:http, configured to
// behave like the production gateway where the runtime allows it. Not a deliverable: nothing imports it and no
// chart deploys it. Started by bench/gateway/run.mjs with the same environment as the real gateway.
//
// Same as the production gateway: supergraph from the file (no introspection of subgraphs at start-up),
// subgraph URLs from AUTH_URL/EVENT_URL/..., the platform's validation rules (depth 7, 15 aliases, cost,
// 50 directives) and parser token limit, CSRF prevention on the same two headers, no batched arrays, no
// introspection in production, masked errors, Cookie/Authorization/x-trace-id/X-Forwarded-For to subgraphs,
// every Set-Cookie back to the client, CORS for CORS_ORIGINS with credentials, /healthz and /readyz.
// Missing compared with it (see the REPORT): the Redis rate limiter, the body-size limit, "Did you mean"
// removal in production, the WebSocket upgrade checks, and the platform's logs/metrics/trace plumbing.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Load every GraphQL-related module through `require`: the platform (CommonJS) builds its validation rules with
// graphql's CommonJS build, and the gateway must execute with that same copy (one graphql realm).
const require = createRequire(import.meta.url);
const { createGatewayRuntime } = require('@graphql-hive/gateway-runtime');
const { parse } = require('graphql');
const platform = require('@ticketing/platform');

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..', '..', '..');
const SUBGRAPHS = ['auth', 'event', 'ticket', 'checkin', 'pricing'];
const TRACE_ID = /^[A-Za-z0-9._-]{8,128}$/;

const config = platform.loadConfig(
  platform.baseConfigSchema('hive-gateway-candidate', 4100).extend({
    AUTH_URL: platform.envUrl(['http', 'https'], 'http://127.0.0.1:4001/graphql'),
    EVENT_URL: platform.envUrl(['http', 'https'], 'http://127.0.0.1:4002/graphql'),
    TICKET_URL: platform.envUrl(['http', 'https'], 'http://127.0.0.1:4003/graphql'),
    CHECKIN_URL: platform.envUrl(['http', 'https'], 'http://127.0.0.1:4004/graphql'),
    PRICING_URL: platform.envUrl(['http', 'https'], 'http://127.0.0.1:4005/graphql'),
    SUPERGRAPH_PATH: platform.envString(resolve(repoRoot, 'services/gateway/supergraph.graphql')),
    SUBGRAPH_TIMEOUT_MS: platform.envInt({ default: 10_000, min: 100, max: 120_000 }),
  }),
);
const urlOf = {
  auth: config.AUTH_URL,
  event: config.EVENT_URL,
  ticket: config.TICKET_URL,
  checkin: config.CHECKIN_URL,
  pricing: config.PRICING_URL,
};
const protection = platform.graphqlProtection(config);

/** The platform's limits as an envelop plugin: validation rules plus the parser's own token limit. */
const protectionPlugin = {
  onParse({ setParseFn }) {
    setParseFn((source, options) => parse(source, { ...options, maxTokens: protection.limits.maxTokens }));
  },
  onValidate({ addValidationRule }) {
    for (const rule of protection.validationRules) addValidationRule(rule);
  },
};

const gateway = createGatewayRuntime({
  supergraph: readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
  transportEntries: Object.fromEntries(SUBGRAPHS.map((name) => [name, { location: urlOf[name] }])),
  upstreamTimeout: config.SUBGRAPH_TIMEOUT_MS,
  graphqlEndpoint: '/graphql',
  healthCheckEndpoint: '/healthz',
  readinessCheckEndpoint: '/readyz',
  landingPage: false,
  graphiql: false,
  maskedErrors: true,
  disableIntrospection: protection.production ? true : undefined,
  csrfPrevention: { requestHeaders: ['apollo-require-preflight', 'x-apollo-operation-name'] },
  cors: { origin: config.CORS_ORIGINS, credentials: true, methods: ['GET', 'POST', 'OPTIONS'] },
  logging: config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace' ? 'debug' : 'warn',
  propagateHeaders: {
    fromClientToSubgraphs({ request, context }) {
      const clientTrace = request.headers.get('x-trace-id');
      return {
        cookie: request.headers.get('cookie'),
        authorization: request.headers.get('authorization'),
        'x-trace-id':
          clientTrace && TRACE_ID.test(clientTrace) ? clientTrace : randomBytes(16).toString('hex'),
        // The address the socket came from; a client's own X-Forwarded-For is never passed on.
        'x-forwarded-for': context.req?.socket?.remoteAddress?.replace(/^::ffff:/, ''),
      };
    },
    fromSubgraphsToClient({ response }) {
      const cookies = response.headers.getSetCookie?.() ?? [];
      return cookies.length > 0 ? { 'set-cookie': cookies } : undefined;
    },
  },
  plugins: () => [protectionPlugin],
});

const server = http.createServer(gateway);
server.keepAliveTimeout = 65_000;
server.listen(config.PORT, '127.0.0.1');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close(() => {
    void Promise.resolve(gateway.dispose?.()).finally(() => process.exit(0));
  });
  server.closeAllConnections?.();
  setTimeout(() => process.exit(1), 5_000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
