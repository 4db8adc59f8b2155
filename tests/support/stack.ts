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
  authEnv?: Record<string, string>;
  eventEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
}

export interface Stack {
  ctx: TestContext;
  auth: RunningService;
  event: RunningService;
  gateway: RunningService;
  /** `<gateway>/graphql`, the one public endpoint. */
  graphqlUrl: string;
  /** The private key auth signs access tokens with (lets tests forge near-valid tokens). */
  signingJwk: JWK;
  issuer: string;
  audience: string;
  stop(): Promise<void>;
}

/**
 * Starts auth, event and the gateway from their built `dist/` as child processes against the shared local stack,
 * isolated by a fresh test context (database, topic prefix, Redis prefix). The gateway serves the committed
 * supergraph, exactly as deployed. `make test` builds the services first; while developing run
 * `npm run build -w @ticketing/<name>` for auth, event and gateway.
 */
export async function startStack(name: string, options: StackOptions = {}): Promise<Stack> {
  const ctx = createTestContext(name);
  await ensureTopics(ctx);
  const signingJwk = await newPrivateJwk();
  const issuer = 'ticketing-auth';
  const audience = 'ticketing';
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
  const started: RunningService[] = [];
  const stopAll = async () => {
    await Promise.all(started.map((s) => s.stop(10_000).catch(() => undefined)));
  };
  try {
    const authPort = await freePort();
    const jwks = { AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json` };
    const auth = await startService(
      serviceDir('auth'),
      {
        ...common,
        ...jwks,
        MONGO_DB: `${ctx.dbName}_auth`.slice(0, 60),
        AUTH_SIGNING_KEYS: JSON.stringify([signingJwk]),
        // Auth is reached through the gateway only; the gateway writes the client address it resolved.
        TRUST_PROXY: '1',
        ...options.authEnv,
      },
      { port: authPort },
    );
    started.push(auth);
    const event = await startService(serviceDir('event'), {
      ...common,
      ...jwks,
      MONGO_DB: `${ctx.dbName}_event`.slice(0, 60),
      ...options.eventEnv,
    });
    started.push(event);
    const gateway = await startService(serviceDir('gateway'), {
      ...common,
      ...jwks,
      AUTH_URL: `${auth.url}/graphql`,
      EVENT_URL: `${event.url}/graphql`,
      RATE_LIMIT_PER_MINUTE: '0',
      ...options.gatewayEnv,
    });
    started.push(gateway);
    return {
      ctx,
      auth,
      event,
      gateway,
      graphqlUrl: `${gateway.url}/graphql`,
      signingJwk,
      issuer,
      audience,
      stop: async () => {
        await stopAll();
        await dropTestContext(ctx).catch(() => undefined);
      },
    };
  } catch (err) {
    await stopAll();
    await dropTestContext(ctx).catch(() => undefined);
    throw err;
  }
}
