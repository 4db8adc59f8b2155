import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@ticketing/platform';
import { createAppModule } from './app.module';
import { PRICING_SERVICE_NAME, pricingConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(pricingConfigSchema);
  await bootstrapService(createAppModule(config), config, { serviceName: PRICING_SERVICE_NAME });
}

void main();
