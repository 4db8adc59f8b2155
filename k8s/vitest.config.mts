import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The k8s specs on their own (k8s/validate.sh): no Kafka/Mongo/Redis global setup, since nothing here
// talks to a server. The root vitest.config.ts includes the same files in `make test`'s main run. The
// compiler and the workspace aliases are the root config's, so the specs can load each service's config
// schema (services/<svc>/src/config.ts) exactly as the service does at boot.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const r = (p: string) => resolve(root, p);
const requireFromRoot = createRequire(r('package.json'));

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: requireFromRoot.resolve('graphql') },
      { find: /^@ticketing\/contracts$/, replacement: r('packages/contracts/src/index.ts') },
      { find: /^@ticketing\/platform$/, replacement: r('packages/platform/src/index.ts') },
    ],
  },
  root,
  test: {
    include: ['k8s/test/**/*.spec.ts'],
    testTimeout: 120_000,
    hookTimeout: 30 * 60_000,
    pool: 'forks',
  },
});
