import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@ticketing/platform';
import { createAppModule } from './app.module';
import { TICKET_SERVICE_NAME, ticketConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(ticketConfigSchema);
  await bootstrapService(createAppModule(config), config, { serviceName: TICKET_SERVICE_NAME });
}

void main();
