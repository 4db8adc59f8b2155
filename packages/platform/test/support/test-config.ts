import { baseConfigSchema } from '../../src/config/base-config.schema';
import { loadConfig } from '../../src/config/load-config';
import type { TestContext } from '../../src/testing/test-context';

/** The config a service would load inside `ctx`, plus overrides. */
export function probeConfig(ctx: TestContext, overrides: Record<string, string> = {}) {
  return loadConfig(baseConfigSchema('probe', 0), { ...ctx.env, PORT: '0', ...overrides });
}
