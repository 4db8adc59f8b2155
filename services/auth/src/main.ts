import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@ticketing/platform';
import { createAppModule } from './app.module';
import { AUTH_SERVICE_NAME, authConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(authConfigSchema);
  await bootstrapService(createAppModule(config), config, { serviceName: AUTH_SERVICE_NAME });
}

void main();
