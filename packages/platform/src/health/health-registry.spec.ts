import { describe, expect, it } from 'vitest';
import { HealthRegistry } from './health-registry';

describe('HealthRegistry', () => {
  it('is ok when every check resolves', async () => {
    const registry = new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 200 });
    registry.register('a', async () => undefined);
    registry.register('b', async () => undefined);
    const report = await registry.run();
    expect(report.ok).toBe(true);
    expect(Object.keys(report.checks)).toEqual(['a', 'b']);
    expect(report.checks.a.status).toBe('up');
  });

  it('names failing and hanging checks, each bounded by the timeout, run in parallel', async () => {
    const registry = new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 150 });
    registry.register('mongo', async () => undefined);
    registry.register('redis', async () => {
      throw new Error('connect ECONNREFUSED');
    });
    registry.register('kafka', () => new Promise<void>(() => undefined));
    registry.register('slow', () => new Promise<void>((resolve) => setTimeout(resolve, 400)));
    const started = Date.now();
    const report = await registry.run();
    expect(Date.now() - started).toBeLessThan(380);
    expect(report.ok).toBe(false);
    expect(report.checks.mongo.status).toBe('up');
    expect(report.checks.redis).toMatchObject({ status: 'down', error: 'connect ECONNREFUSED' });
    expect(report.checks.kafka).toMatchObject({ status: 'down', error: 'no answer within 150ms' });
    expect(report.checks.slow.status).toBe('down');
  });

  it('replaces a check registered twice under one name and can drop it', async () => {
    const registry = new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 100 });
    registry.register('x', async () => {
      throw new Error('old');
    });
    registry.register('x', async () => undefined);
    expect((await registry.run()).ok).toBe(true);
    registry.unregister('x');
    expect(registry.names()).toEqual([]);
  });

  it('reports a check that throws synchronously as down', async () => {
    const registry = new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 50 });
    registry.register('sync', () => {
      throw new Error('sync');
    });
    const report = await registry.run();
    expect(report.ok).toBe(false);
    expect(report.checks.sync).toMatchObject({ status: 'down', error: 'sync' });
  });
});
