import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// The fault suite (tests/faults) and its checker's unit test, kept out of the main run: the suite starts a
// private Kafka, MongoDB-compatible server and Redis of its own (tests/faults/private-stack.ts) and never
// uses the shared stack, so the root config's global setup (which probes the shared stack) is not used here.
// The compiler and aliases are the root vitest.config.ts's.
//   npx vitest run --config tests/faults/vitest.config.ts
const root = resolve(__dirname, '..', '..');
const r = (p: string) => resolve(root, p);
const requireFromRoot = createRequire(r('package.json'));

export default defineConfig({
  root,
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: {
    alias: [
      { find: /^graphql$/, replacement: requireFromRoot.resolve('graphql') },
      { find: /^@ticketing\/contracts$/, replacement: r('packages/contracts/src/index.ts') },
      { find: /^@ticketing\/platform\/testing$/, replacement: r('packages/platform/src/testing/index.ts') },
      { find: /^@ticketing\/platform$/, replacement: r('packages/platform/src/index.ts') },
    ],
  },
  test: {
    include: ['tests/faults/**/*.spec.ts', 'tests/faults/**/*.faults.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: process.env.CI ? ['default', 'junit'] : ['default'],
    outputFile: { junit: '.data/test-results/junit-faults.xml' },
  },
});
