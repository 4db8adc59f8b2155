import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, createServiceApp } from '../src/bootstrap/create-service-app';
import { RedisService } from '../src/redis/redis.service';
import { startRedisServer, type ThrowawayRedis } from '../src/testing/redis-server';
import { createTestContext, dropTestContext, type TestContext } from '../src/testing/test-context';
import { ProbeAppModule } from './support/probe-app.module';
import { probeConfig } from './support/test-config';

async function get(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.json() };
}

/** Polls until `predicate` holds for GET url, returning the last answer. */
async function until(
  url: string,
  predicate: (r: { status: number; body: any }) => boolean,
  timeoutMs = 15_000,
) {
  const deadline = Date.now() + timeoutMs;
  let last = await get(url);
  while (!predicate(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    last = await get(url);
  }
  return last;
}

describe('readiness and liveness (in-process app, real Mongo, throwaway Redis)', () => {
  let ctx: TestContext;
  let redis: ThrowawayRedis;
  let app: NestExpressApplication;
  let url: string;

  beforeAll(async () => {
    ctx = createTestContext('platform-readiness');
    redis = await startRedisServer();
    const config = probeConfig(ctx, { REDIS_URL: redis.url, LOG_LEVEL: 'silent' });
    app = await createServiceApp(ProbeAppModule.with(config, { mongo: true, redis: true }), config, {
      serviceName: 'probe',
      handleSignals: false,
    });
    await app.listen(0, '127.0.0.1');
    url = appUrl(app);
  });

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    if (ctx) await dropTestContext(ctx, { kafka: false, redis: false });
  });

  it('is live and ready while Mongo and Redis answer', async () => {
    const live = await get(`${url}/healthz`);
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await get(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
  });

  it('answers 503 naming redis while Redis is down, stays live, and recovers when Redis returns', async () => {
    const service = app.get(RedisService);
    await service.client.set(service.key('probe'), '1');

    await redis.stop();
    const notReady = await until(`${url}/readyz`, (r) => r.status === 503);
    expect(notReady.status).toBe(503);
    expect(notReady.body.status).toBe('error');
    expect(notReady.body.error.redis.status).toBe('down');
    expect(notReady.body.error.mongo.status).toBe('up');

    const live = await get(`${url}/healthz`);
    expect(live).toEqual({ status: 200, body: { status: 'ok' } });

    // Calls fail fast instead of queueing while Redis is down.
    const started = Date.now();
    await expect(service.client.get(service.key('probe'))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2500);

    await redis.start();
    const ready = await until(`${url}/readyz`, (r) => r.status === 200);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ok' });
    expect(await service.client.set(service.key('probe'), '2')).toBe('OK');
    expect((await get(`${url}/healthz`)).status).toBe(200);
  });

  it('keys carry the REDIS_KEY_PREFIX of the test context', () => {
    expect(app.get(RedisService).key('event', 42)).toBe(`${ctx.redisPrefix}event:42`);
  });
});

describe('a service whose Redis is down at start-up', () => {
  let ctx: TestContext;
  let redis: ThrowawayRedis;
  let app: NestExpressApplication;

  beforeAll(async () => {
    ctx = createTestContext('platform-redis-late');
    redis = await startRedisServer();
    await redis.stop();
  });

  afterAll(async () => {
    await app?.close();
    await redis?.stop();
  });

  it('boots anyway, reports not ready, and becomes ready once Redis appears', async () => {
    const config = probeConfig(ctx, { REDIS_URL: redis.url, LOG_LEVEL: 'silent' });
    app = await createServiceApp(ProbeAppModule.with(config, { redis: true }), config, {
      serviceName: 'probe',
      handleSignals: false,
    });
    await app.listen(0, '127.0.0.1');
    const url = appUrl(app);

    const notReady = await get(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(Object.keys(notReady.body.error)).toEqual(['redis']);
    expect((await get(`${url}/healthz`)).status).toBe(200);

    await redis.start();
    expect((await until(`${url}/readyz`, (r) => r.status === 200)).status).toBe(200);
  });
});
