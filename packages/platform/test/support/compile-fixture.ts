import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { transformFileSync } from '@swc/core';

const PACKAGE_DIR = resolve(__dirname, '../..');
/** Platform folders the fixtures use; Kafka, GraphQL and auth are not needed to test the core. */
const CORE_DIRS = [
  'src/common',
  'src/config',
  'src/logging',
  'src/health',
  'src/metrics',
  'src/mongo',
  'src/redis',
  'src/bootstrap',
  'src/overload',
];
const CORE_FILES = ['src/platform.module.ts', 'src/graphql/error-codes.ts'];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

export interface CompiledFixture {
  dir: string;
  /** Path of the compiled fixture relative to `dir`, for `startService(dir, env, { entry })`. */
  entry: string;
  /** Environment the child needs to resolve the workspace's dependencies. */
  env: Record<string, string>;
  remove(): void;
}

/**
 * Compiles the platform core and one fixture with SWC (decorator metadata on, CommonJS) into a temp
 * folder, so a child process can run the real code from src/ without a prior build.
 */
export function compileFixture(fixture: string): CompiledFixture {
  const out = mkdtempSync(join(tmpdir(), 'platform-fixture-'));
  const sources = [
    ...CORE_DIRS.flatMap((dir) => tsFiles(join(PACKAGE_DIR, dir))),
    ...CORE_FILES.map((file) => join(PACKAGE_DIR, file)),
    join(PACKAGE_DIR, 'test/fixtures', fixture),
  ];
  for (const source of sources) {
    const { code } = transformFileSync(source, {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
        keepClassNames: true,
      },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    const target = join(out, relative(PACKAGE_DIR, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  return {
    dir: out,
    entry: join('test/fixtures', fixture.replace(/\.ts$/, '.js')),
    env: { NODE_PATH: resolve(PACKAGE_DIR, '../../node_modules') },
    remove: () => rmSync(out, { recursive: true, force: true }),
  };
}
