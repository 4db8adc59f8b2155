import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The k8s specs on their own (k8s/validate.sh): no Kafka/Mongo/Redis global setup, since nothing here
// talks to a server. The root vitest.config.ts includes the same files in `make test`'s main run.
export default defineConfig({
  root: resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  test: {
    include: ['k8s/test/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 30 * 60_000,
    pool: 'forks',
  },
});
