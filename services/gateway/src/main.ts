import 'reflect-metadata';
import { bootstrapService, loadConfig } from '@ticketing/platform';
import { createAppModule } from './app.module';
import { gatewayAppOptions } from './app.options';
import { gatewayConfigSchema } from './config';

async function main(): Promise<void> {
  const config = loadConfig(gatewayConfigSchema);
  await bootstrapService(createAppModule(config), config, gatewayAppOptions(config));
}

main().catch((err: unknown) => {
  // Configuration errors name every bad variable; nothing else is worth a stack trace here.
  process.stderr.write(`gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
