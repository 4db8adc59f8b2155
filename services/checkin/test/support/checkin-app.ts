import type { INestApplication, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { appUrl, createServiceApp, loadConfig } from '@ticketing/platform';
import type { TestContext, TestIssuer } from '@ticketing/platform/testing';
import { createAppModule } from '../../src/app.module';
import { CHECKIN_SERVICE_NAME, checkinConfigSchema, type CheckinConfig } from '../../src/config';

export interface RunningCheckin {
  app: INestApplication;
  url: string;
  config: CheckinConfig;
  get<T>(token: Type<T> | string | symbol): T;
  close(): Promise<void>;
}

/** The environment a check-in process of this test context runs with. */
export function checkinEnv(
  ctx: TestContext,
  issuer: TestIssuer,
  ticketUrl: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return { ...ctx.env, AUTH_JWKS_URL: issuer.jwksUrl, TICKET_URL: ticketUrl, ...overrides };
}

/** Boots the check-in AppModule in-process on port 0. */
export async function startCheckin(
  ctx: TestContext,
  issuer: TestIssuer,
  ticketUrl: string,
  overrides: Record<string, string> = {},
): Promise<RunningCheckin> {
  const config = loadConfig(checkinConfigSchema, checkinEnv(ctx, issuer, ticketUrl, overrides));
  const app: NestExpressApplication = await createServiceApp(createAppModule(config), config, {
    serviceName: CHECKIN_SERVICE_NAME,
    handleSignals: false,
  });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: appUrl(app),
    config,
    get: <T>(token: Type<T> | string | symbol) => app.get<T>(token as Type<T>, { strict: false }),
    close: () => app.close(),
  };
}
