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

/**
 * How long each process may take to answer /readyz. Generous: up to seven processes start at once on a
 * shared two-core machine, where each may get a few percent of a core while it loads.
 */
const READY_TIMEOUT_MS = 90_000;
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const APP_ORIGIN = 'http://app.test';
const serviceDir = (name: string) => join(REPO_ROOT, 'services', name);

export interface StackOptions {
  /** NODE_ENV of every process (default `test`). */
  nodeEnv?: 'development' | 'test' | 'production';
  /** Start the ticket subgraph too (default true). Without it the gateway's ticket URL is a closed port. */
  ticket?: boolean;
  /** Start the check-in subgraph too (default false); it shares the ticket service's display-code key. */
  checkin?: boolean;
  /** Start the pricing subgraph too (default false). */
  pricing?: boolean;
  authEnv?: Record<string, string>;
  eventEnv?: Record<string, string>;
  ticketEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  checkinEnv?: Record<string, string>;
  pricingEnv?: Record<string, string>;
}

export interface Stack {
  ctx: TestContext;
  auth: RunningService;
  event: RunningService;
  /** Undefined when started with `ticket: false`. */
  ticket?: RunningService;
  gateway: RunningService;
  /** Undefined unless started with `checkin: true` / `pricing: true`. */
  checkin?: RunningService;
  pricing?: RunningService;
  /** The MongoDB database a service of this stack uses (to compare what clients see with what is stored). */
  database(service: 'auth' | 'event' | 'ticket' | 'checkin' | 'pricing'): string;
  /** `<gateway>/graphql`, the one public endpoint. */
  graphqlUrl: string;
  /** The private key auth signs access tokens with (lets tests forge near-valid tokens). */
  signingJwk: JWK;
  issuer: string;
  audience: string;
  stop(): Promise<void>;
  /**
   * Starts one more process of a subgraph (a second replica, or checkin/pricing, which the stack does not
   * start) in the stack's context, verifying tokens with the stack's auth. Stopped, and its database
   * dropped, by `stop()`.
   */
  startExtra(
    service: 'event' | 'ticket' | 'checkin' | 'pricing',
    env?: Record<string, string>,
  ): Promise<RunningService>;
}

/** A fresh Ed25519 private key (PKCS8 PEM) for the ticket service's QR signatures (required in production). */
function newTicketSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

/**
 * Starts auth, event, ticket and the gateway (and, when asked, check-in and pricing) from their built `dist/` as child processes against the shared
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
  // Check-in and pricing only when asked for; otherwise their ports stay closed, never a developer's services.
  const [checkinPort, pricingPort] = [await freePort(), await freePort()];
  const withCheckin = options.checkin ?? false;
  const withPricing = options.pricing ?? false;
  // Ticket renders rotating display codes and check-in verifies them: both hold the same master key.
  const displayCodeKey = randomBytes(32).toString('base64url');
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
      { port: authPort, readyTimeoutMs: READY_TIMEOUT_MS },
    ),
    startService(
      serviceDir('event'),
      { ...common, ...jwks, MONGO_DB: database('event'), ...options.eventEnv },
      { port: eventPort, readyTimeoutMs: READY_TIMEOUT_MS },
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
      { readyTimeoutMs: READY_TIMEOUT_MS },
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
          DISPLAY_CODE_MASTER_KEY: displayCodeKey,
          PAYMENT_PROVIDER: 'test',
          // The built-in test payment provider (tok_success, tok_decline, tok_error), also in production mode.
          ALLOW_TEST_PAYMENTS: 'true',
          ...options.ticketEnv,
        },
        { port: ticketPort, readyTimeoutMs: READY_TIMEOUT_MS },
      ),
    );
  }

  // Optional subgraphs come after the four above in `started`, in this order.
  const optional: Array<'checkin' | 'pricing'> = [];
  if (withCheckin) {
    optional.push('checkin');
    launches.push(
      startService(
        serviceDir('checkin'),
        {
          ...common,
          ...jwks,
          MONGO_DB: database('checkin'),
          // Check-in reads the ticket service's public QR keys from its origin.
          TICKET_URL: `http://127.0.0.1:${ticketPort}/graphql`,
          DISPLAY_CODE_MASTER_KEY: displayCodeKey,
          ...options.checkinEnv,
        },
        { port: checkinPort, readyTimeoutMs: READY_TIMEOUT_MS },
      ),
    );
  }
  if (withPricing) {
    optional.push('pricing');
    launches.push(
      startService(
        serviceDir('pricing'),
        { ...common, ...jwks, MONGO_DB: database('pricing'), ...options.pricingEnv },
        { port: pricingPort, readyTimeoutMs: READY_TIMEOUT_MS },
      ),
    );
  }

  const settled = await Promise.allSettled(launches);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stopAll = async () => {
    await Promise.all(started.map((s) => s.stop(10_000).catch(() => undefined)));
    // The context's topics, groups and Redis keys, then each service's own database.
    await dropTestContext(ctx).catch(() => undefined);
    for (const service of ['auth', 'event', 'ticket', ...optional]) {
      const own = { ...ctx, dbName: database(service) };
      await dropTestContext(own, { kafka: false, redis: false }).catch(() => undefined);
    }
  };
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await stopAll();
    throw failure.reason;
  }
  const extraDatabases = new Set<string>();
  const startExtra = async (
    service: 'event' | 'ticket' | 'checkin' | 'pricing',
    env: Record<string, string> = {},
  ): Promise<RunningService> => {
    extraDatabases.add(database(service));
    const extra = await startService(
      serviceDir(service),
      {
        ...common,
        ...jwks,
        MONGO_DB: database(service),
        ...(service === 'checkin'
          ? { TICKET_URL: `http://127.0.0.1:${ticketPort}/graphql`, DISPLAY_CODE_MASTER_KEY: displayCodeKey }
          : {}),
        ...env,
      },
      { readyTimeoutMs: READY_TIMEOUT_MS },
    );
    started.push(extra);
    return extra;
  };
  const stopWithExtras = async () => {
    await stopAll();
    for (const dbName of extraDatabases) {
      await dropTestContext({ ...ctx, dbName }, { kafka: false, redis: false }).catch(() => undefined);
    }
  };
  const [auth, event, gateway] = started as [RunningService, RunningService, RunningService];
  const ticket = withTicket ? started[3] : undefined;
  const extra = started.slice(withTicket ? 4 : 3);
  const checkin = withCheckin ? extra[optional.indexOf('checkin')] : undefined;
  const pricing = withPricing ? extra[optional.indexOf('pricing')] : undefined;
  return {
    ctx,
    auth,
    event,
    ticket,
    gateway,
    checkin,
    pricing,
    database,
    graphqlUrl: `${gateway.url}/graphql`,
    signingJwk,
    issuer,
    audience,
    stop: stopWithExtras,
    startExtra,
  };
}
