import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@ticketing/platform';
import { createAppModule } from './app.module';
import { EVENT_SERVICE_NAME, eventConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(eventConfigSchema);
  await bootstrapService(createAppModule(config), config, { serviceName: EVENT_SERVICE_NAME });
}

void main();
