import 'reflect-metadata';
import { loadConfig } from '@ticketing/platform';
import { pricingConfigSchema } from './config';
import { rebuildWindows } from './rebuild/rebuild-windows';

// Usage: npm run rebuild-windows -w @ticketing/pricing [-- --reset]; in the image: node services/pricing/dist/rebuild-windows.js
// Reads the same environment as the service (MONGO_URL, MONGO_DB, KAFKA_BROKERS, KAFKA_TOPIC_PREFIX, BUCKET_MS...).
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--reset');
  if (unknown.length > 0) {
    process.stderr.write(`rebuild-windows: unknown argument ${unknown.join(' ')} (only --reset)\n`);
    process.exit(2);
  }
  const config = loadConfig(pricingConfigSchema);
  const report = await rebuildWindows({ config, reset: args.includes('--reset') });
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`rebuild-windows failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
