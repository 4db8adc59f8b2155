import { probeInfra, type ProbeResult } from './infra-probe';
import { testEnv, type TestEnv } from './test-env';

/** What to do when some server of the local stack does not answer. */
export function infraVerdict(
  results: ProbeResult[],
  env: Pick<TestEnv, 'CI' | 'TEST_REQUIRE_INFRA'> & Partial<Pick<TestEnv, 'GATEWAY_URL'>>,
) {
  if (env.GATEWAY_URL) {
    return {
      action: 'warn' as const,
      message: `GATEWAY_URL is set (${env.GATEWAY_URL}): testing a deployed platform, the local stack is not checked`,
    };
  }
  const missing = results.filter((result) => !result.ok);
  if (missing.length === 0) return { action: 'ok' as const, message: '' };
  const names = missing.map((m) => `${m.name} (${m.address}: ${m.error ?? 'unreachable'})`).join(', ');
  if (env.CI === 'true') {
    return { action: 'fail' as const, message: `Local stack not reachable on CI: ${names}` };
  }
  const message = `Local stack not reachable: ${names}. Run \`make infra-up\` (or TEST_REQUIRE_INFRA=0 for unit tests only).`;
  return { action: env.TEST_REQUIRE_INFRA === '0' ? ('warn' as const) : ('fail' as const), message };
}

/**
 * Vitest globalSetup (wired in the root vitest.config.ts). Checks that Kafka, MongoDB and Redis answer
 * before any test runs. Missing servers fail the run under CI=true, and also locally unless
 * TEST_REQUIRE_INFRA=0 (then a one-line warning is printed and unit tests run; tests needing the stack
 * fail on their own).
 */
export default async function setup(): Promise<void> {
  const env = testEnv();
  const verdict = infraVerdict(env.GATEWAY_URL ? [] : await probeInfra(env), env);
  if (verdict.action === 'ok') return;
  console.warn(`[platform] ${verdict.message}`);
  if (verdict.action === 'fail') throw new Error(verdict.message);
}
