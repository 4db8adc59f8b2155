import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@ticketing/platform';
import { createAppModule } from './app.module';
import { CHECKIN_SERVICE_NAME, checkinConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(checkinConfigSchema);
  await bootstrapService(createAppModule(config), config, { serviceName: CHECKIN_SERVICE_NAME });
}

void main();
