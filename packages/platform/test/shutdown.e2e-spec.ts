import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForExit } from '../src/testing/child-process';
import { startService, type RunningService } from '../src/testing/start-service';
import { createTestContext, dropTestContext, type TestContext } from '../src/testing/test-context';
import { compileFixture, type CompiledFixture } from './support/compile-fixture';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function status(url: string): Promise<number> {
  const response = await fetch(url);
  await response.arrayBuffer();
  return response.status;
}

describe('graceful shutdown of a service process (terminus)', () => {
  let ctx: TestContext;
  let fixture: CompiledFixture;
  let running: RunningService | undefined;

  beforeAll(() => {
    ctx = createTestContext('platform-shutdown');
    fixture = compileFixture('shutdown-app.ts');
  });

  afterAll(async () => {
    await running?.stop(2000);
    fixture?.remove();
    if (ctx) await dropTestContext(ctx, { kafka: false });
  });

  it('on SIGTERM: readiness 503 at once, liveness 200, in-flight request drains, hooks run, exit 0', async () => {
    running = await startService(
      fixture.dir,
      { ...ctx.env, ...fixture.env, LOG_LEVEL: 'info', SHUTDOWN_DELAY_MS: '800', FIXTURE_SLOW_MS: '1500' },
      { entry: fixture.entry },
    );
    const { url, child } = running;
    expect(await status(`${url}/readyz`)).toBe(200);

    const inFlight = fetch(`${url}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await sleep(150);
    const exited = waitForExit(child);
    child.kill('SIGTERM');
    await sleep(100);

    // During SHUTDOWN_DELAY_MS the server still answers: not ready, but alive.
    expect(await status(`${url}/readyz`)).toBe(503);
    expect(await status(`${url}/healthz`)).toBe(200);

    expect(await inFlight).toEqual({ status: 200, body: { done: true } });
    expect(await exited).toBe(0);

    const output = running.output();
    expect(output).toContain('shutdown signal received');
    expect(output).toContain('fixture before-shutdown hook');
    expect(output).toContain('fixture shutdown hook');
    expect(output).toContain('shutdown complete');
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    running = undefined;
  });

  it('exits 1 when shutdown hangs past SHUTDOWN_TIMEOUT_MS', async () => {
    running = await startService(
      fixture.dir,
      {
        ...ctx.env,
        ...fixture.env,
        LOG_LEVEL: 'info',
        SHUTDOWN_TIMEOUT_MS: '1500',
        FIXTURE_HANG_ON_SHUTDOWN: 'true',
      },
      { entry: fixture.entry },
    );
    const started = Date.now();
    const exited = waitForExit(running.child);
    running.child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(running.output()).toContain('shutdown timed out');
    running = undefined;
  });
});
