import type { INestApplication, Type } from '@nestjs/common';
import { getModelToken } from '@nestjs/mongoose';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { appUrl, createServiceApp, loadConfig } from '@ticketing/platform';
import type { TestContext, TestIssuer } from '@ticketing/platform/testing';
import type { Model } from 'mongoose';
import { createAppModule } from '../../src/app.module';
import { TICKET_SERVICE_NAME, ticketConfigSchema, type TicketConfig } from '../../src/config';

export interface RunningTicket {
  app: INestApplication;
  url: string;
  config: TicketConfig;
  get<T>(token: Type<T> | string | symbol): T;
  /** The app's mongoose model of a collection (by its schema name), to read or shape documents directly. */
  model<T>(name: string): Model<T>;
  close(): Promise<void>;
}

/** Boots the ticket AppModule in-process on port 0 with the test context's database, topics and Redis prefix. */
export async function startTicket(
  ctx: TestContext,
  issuer: TestIssuer,
  overrides: Record<string, string> = {},
): Promise<RunningTicket> {
  const config = loadConfig(ticketConfigSchema, {
    ...ctx.env,
    AUTH_JWKS_URL: issuer.jwksUrl,
    // Tests drive the sweeper by hand unless they ask for it.
    SWEEPER_ENABLED: 'false',
    // No load shedding unless a test asks for it (test/overload.e2e-spec.ts): the concurrency tests fire
    // bursts on purpose and check what the service does with every request of them.
    OVERLOAD_MAX_INFLIGHT: '0',
    ...overrides,
  });
  const app: NestExpressApplication = await createServiceApp(createAppModule(config), config, {
    serviceName: TICKET_SERVICE_NAME,
    handleSignals: false,
  });
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: appUrl(app),
    config,
    get: <T>(token: Type<T> | string | symbol) => app.get<T>(token as Type<T>, { strict: false }),
    model: <T>(name: string) => app.get<Model<T>>(getModelToken(name), { strict: false }),
    close: () => app.close(),
  };
}
