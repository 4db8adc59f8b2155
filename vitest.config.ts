import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// One runner for every package and service. SWC compiles the TypeScript so that
// NestJS gets the decorator metadata its dependency injection relies on.
const r = (p: string) => resolve(__dirname, p);
const requireFromRoot = createRequire(__filename);

export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      // Nest, Apollo and graphql-ws load graphql's CommonJS build; tests must share that one copy, or graphql
      // refuses schemas "from another module or realm".
      { find: /^graphql$/, replacement: requireFromRoot.resolve('graphql') },
      { find: /^@ticketing\/contracts$/, replacement: r('packages/contracts/src/index.ts') },
      { find: /^@ticketing\/platform\/testing$/, replacement: r('packages/platform/src/testing/index.ts') },
      { find: /^@ticketing\/platform$/, replacement: r('packages/platform/src/index.ts') },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.spec.ts',
      'packages/*/test/**/*.e2e-spec.ts',
      'services/*/src/**/*.spec.ts',
      'services/*/test/**/*.e2e-spec.ts',
      'tests/**/*.e2e-spec.ts',
      'k8s/test/**/*.spec.ts',
      // The pure parts of the benchmark runner (bench/lib/report.mjs).
      'bench/**/*.spec.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', 'services/web/**'],
    // Services in tests fetch with a 1 s empty wait instead of the 5 s default: a test stops and restarts
    // consumers many times, and each stop waits for the fetch in flight (see KAFKA_FETCH_WAIT_MS).
    env: { KAFKA_FETCH_WAIT_MS: process.env.KAFKA_FETCH_WAIT_MS ?? '1000' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // At least two files at a time, also on two cores (Vitest's default there is one): most e2e time is spent
    // waiting on Kafka, MongoDB and the services, and each file has its own database, topics and Redis prefix.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    globalSetup: [r('packages/platform/src/testing/global-setup.ts')],
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: '.data/test-results/junit.xml' },
  },
});
