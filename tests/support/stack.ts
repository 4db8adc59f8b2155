import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { JWK } from 'jose';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  freePort,
  startService,
  type RunningService,
  type TestContext,
} from '@ticketing/platform/testing';
import { newPrivateJwk } from './signing-key';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const APP_ORIGIN = 'http://app.test';
const serviceDir = (name: string) => join(REPO_ROOT, 'services', name);

export interface StackOptions {
  /** NODE_ENV of every process (default `test`). */
  nodeEnv?: 'development' | 'test' | 'production';
  /** Start the ticket subgraph too (default true). Without it the gateway's ticket URL is a closed port. */
  ticket?: boolean;
  authEnv?: Record<string, string>;
  eventEnv?: Record<string, string>;
  ticketEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

export interface Stack {
  ctx: TestContext;
  auth: RunningService;
  event: RunningService;
  /** Undefined when started with `ticket: false`. */
  ticket?: RunningService;
  gateway: RunningService;
  /** `<gateway>/graphql`, the one public endpoint. */
  graphqlUrl: string;
  /** The private key auth signs access tokens with (lets tests forge near-valid tokens). */
  signingJwk: JWK;
  issuer: string;
  audience: string;
  stop(): Promise<void>;
}

/** A fresh Ed25519 private key (PKCS8 PEM) for the ticket service's QR signatures (required in production). */
function newTicketSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Starts auth, event, ticket and the gateway from their built `dist/` as child processes against the shared
 * local stack, isolated by a fresh test context (databases, topic prefix, Redis prefix); every process listens
 * on a free port. The gateway serves the committed supergraph, exactly as deployed. `make test` builds the
 * services first; while developing run `npm run build -w @ticketing/<name>` for each of them.
 */
export async function startStack(name: string, options: StackOptions = {}): Promise<Stack> {
  const ctx = createTestContext(name);
  await ensureTopics(ctx);
  const signingJwk = await newPrivateJwk();
  const issuer = 'ticketing-auth';
  const audience = 'ticketing';
  const withTicket = options.ticket ?? true;
  const common = {
    ...ctx.env,
    NODE_ENV: options.nodeEnv ?? 'test',
    LOG_LEVEL: 'warn',
    // Production cookie names and attributes (`__Host-at`, Secure): the tests carry cookies by hand.
    COOKIE_SECURE: 'true',
    AUTH_ISSUER: issuer,
    AUTH_AUDIENCE: audience,
    CORS_ORIGINS: APP_ORIGIN,
  };
  const database = (service: string) => `${ctx.dbName}_${service}`.slice(0, 60);
  // Ports are chosen up front so the four processes can start side by side (the gateway needs every URL).
  const [authPort, eventPort, ticketPort] = [await freePort(), await freePort(), await freePort()];
  // Check-in and pricing are not started here: their URLs point at closed ports, never a developer's services.
  const [checkinPort, pricingPort] = [await freePort(), await freePort()];
  const jwks = { AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json` };

  const launches: Array<Promise<RunningService>> = [
    startService(
      serviceDir('auth'),
      {
        ...common,
        ...jwks,
        MONGO_DB: database('auth'),
        AUTH_SIGNING_KEYS: JSON.stringify([signingJwk]),
        // Auth is reached through the gateway only; the gateway writes the client address it resolved.
        TRUST_PROXY: '1',
        ...options.authEnv,
      },
      { port: authPort },
    ),
    startService(
      serviceDir('event'),
      { ...common, ...jwks, MONGO_DB: database('event'), ...options.eventEnv },
      { port: eventPort },
    ),
    startService(
      serviceDir('gateway'),
      {
        ...common,
        ...jwks,
        AUTH_URL: `http://127.0.0.1:${authPort}/graphql`,
        EVENT_URL: `http://127.0.0.1:${eventPort}/graphql`,
        // Without a ticket process this port stays closed: never a developer's service on the fixed port 4003.
        TICKET_URL: `http://127.0.0.1:${ticketPort}/graphql`,
        CHECKIN_URL: `http://127.0.0.1:${checkinPort}/graphql`,
        PRICING_URL: `http://127.0.0.1:${pricingPort}/graphql`,
        RATE_LIMIT_PER_MINUTE: '0',
        ...options.gatewayEnv,
      },
      { readyTimeoutMs: 45_000 },
    ),
  ];
  if (withTicket) {
    launches.push(
      startService(
        serviceDir('ticket'),
        {
          ...common,
          ...jwks,
          MONGO_DB: database('ticket'),
          TICKET_SIGNING_KEY: newTicketSigningKey(),
          // A production process refuses the development display-code key.
          DISPLAY_CODE_MASTER_KEY: randomBytes(32).toString('base64url'),
          PAYMENT_PROVIDER: 'test',
          // The built-in test payment provider (tok_success, tok_decline, tok_error), also in production mode.
          ALLOW_TEST_PAYMENTS: 'true',
          ...options.ticketEnv,
        },
        { port: ticketPort, readyTimeoutMs: 45_000 },
      ),
    );
  }

  const settled = await Promise.allSettled(launches);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stopAll = async () => {
    await Promise.all(started.map((s) => s.stop(10_000).catch(() => undefined)));
    // The context's topics, groups and Redis keys, then each service's own database.
    await dropTestContext(ctx).catch(() => undefined);
    for (const service of ['auth', 'event', 'ticket']) {
      const own = { ...ctx, dbName: database(service) };
      await dropTestContext(own, { kafka: false, redis: false }).catch(() => undefined);
    }
  };
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  const [auth, event, gateway, ticket] = started as [
    RunningService,
    RunningService,
    RunningService,
    RunningService | undefined,
  ];
  return {
    ctx,
    auth,
    event,
    ticket,
    gateway,
    graphqlUrl: `${gateway.url}/graphql`,
    signingJwk,
    issuer,
    audience,
    stop: stopAll,
  };
}
