import type { INestApplication } from '@nestjs/common';
import { createServiceApp, loadConfig } from '@ticketing/platform';
import { freePort, type TestContext } from '@ticketing/platform/testing';
import { createAppModule } from '../../src/app.module';
import { AUTH_SERVICE_NAME, authConfigSchema, type AuthConfig } from '../../src/config';

export interface RunningAuth {
  app: INestApplication;
  url: string;
  config: AuthConfig;
  close(): Promise<void>;
}

/**
 * Boots the auth AppModule in-process on the test context's database, topics and Redis prefix. The
 * port is picked before start because the service verifies its own access tokens through its JWKS URL.
 */
export async function startAuth(
  ctx: TestContext,
  overrides: Record<string, string> = {},
): Promise<RunningAuth> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = loadConfig(authConfigSchema, {
    ...ctx.env,
    PORT: String(port),
    AUTH_JWKS_URL: `${url}/.well-known/jwks.json`,
    // Tests sign in many times from 127.0.0.1: keep the address limits out of the way unless a test sets them.
    LOGIN_IP_SOFT_LIMIT: '100000',
    LOGIN_IP_MAX_FAILURES_PER_HOUR: '1000000',
    SIGNUP_IP_MAX_PER_HOUR: '1000000',
    ...overrides,
  });
  const app = await createServiceApp(createAppModule(config), config, {
    serviceName: AUTH_SERVICE_NAME,
    handleSignals: false,
  });
  await app.listen(port, '127.0.0.1');
  return { app, url, config, close: () => app.close() };
}
