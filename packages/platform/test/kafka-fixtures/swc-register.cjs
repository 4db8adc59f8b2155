// Lets a plain `node` child process run the TypeScript sources directly: `node -r ./swc-register.cjs x.ts`.
// SWC compiles each .ts file to CommonJS with decorator metadata (what Nest's injection needs), and the
// workspace packages resolve to their sources, as they do under Vitest.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { transformSync } = require('@swc/core');

const root = path.resolve(__dirname, '../../../..');
const aliases = {
  '@ticketing/contracts': path.join(root, 'packages/contracts/src/index.ts'),
  '@ticketing/platform': path.join(root, 'packages/platform/src/index.ts'),
  '@ticketing/platform/testing': path.join(root, 'packages/platform/src/testing/index.ts'),
};

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveWithAliases(request, ...rest) {
  return resolveFilename.call(this, aliases[request] ?? request, ...rest);
};

require.extensions['.ts'] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = transformSync(source, {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  });
  module._compile(code, filename);
};
