import type { INestApplication, Type } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { appUrl, createServiceApp, loadConfig } from '@ticketing/platform';
import type { TestContext, TestIssuer } from '@ticketing/platform/testing';
import { createAppModule } from '../../src/app.module';
import { PRICING_SERVICE_NAME, pricingConfigSchema, type PricingConfig } from '../../src/config';

export interface RunningPricing {
  app: INestApplication;
  url: string;
  config: PricingConfig;
  get<T>(token: Type<T> | string | symbol): T;
  close(): Promise<void>;
}

/** Short windows so tests see demand come and go within seconds. */
export const FAST_WINDOWS = {
  BUCKET_MS: '500',
  DEMAND_WINDOW_MS: '3000',
  REPRICE_DEBOUNCE_MS: '50',
};

/** Boots the pricing AppModule in-process on port 0 with the test context's database, topics and Redis prefix. */
export async function startPricing(
  ctx: TestContext,
  issuer: TestIssuer,
  overrides: Record<string, string> = {},
): Promise<RunningPricing> {
  const config = loadConfig(pricingConfigSchema, {
    ...ctx.env,
    AUTH_JWKS_URL: issuer.jwksUrl,
    // Tests run the repricing timer by hand unless they ask for it.
    REPRICER_ENABLED: 'false',
    ...FAST_WINDOWS,
    ...overrides,
  });
  const app: NestExpressApplication = await createServiceApp(createAppModule(config), config, {
    serviceName: PRICING_SERVICE_NAME,
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
