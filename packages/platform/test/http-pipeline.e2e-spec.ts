import { Writable } from 'node:stream';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, createServiceApp } from '../src/bootstrap/create-service-app';
import { configureLogging } from '../src/logging/logger';
import { MetricsService } from '../src/metrics/metrics.service';
import { createTestContext, type TestContext } from '../src/testing/test-context';
import { ProbeAppModule } from './support/probe-app.module';
import { probeConfig } from './support/test-config';

describe('HTTP pipeline: trace ids, JSON logs, metrics, limits', () => {
  let ctx: TestContext;
  let app: NestExpressApplication;
  let url: string;
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    ctx = createTestContext('platform-http');
    // A small body limit, so the 413 below needs no multi-megabyte request (the default is the gateway's 5mb).
    const config = probeConfig(ctx, { LOG_LEVEL: 'info', BODY_LIMIT: '100kb' });
    app = await createServiceApp(ProbeAppModule.with(config, {}), config, {
      serviceName: 'probe',
      handleSignals: false,
    });
    // Re-point the process logger at a stream the test can read (same service and level).
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
        callback();
      },
    });
    configureLogging({ service: 'probe', level: 'info', destination: sink });
    await app.listen(0, '127.0.0.1');
    url = appUrl(app);
  });

  afterAll(async () => {
    await app?.close();
    configureLogging({ service: 'probe', level: 'silent' });
  });

  it('propagates a client x-trace-id to the response header, the handler and the logs', async () => {
    const response = await fetch(`${url}/probe/hello/ann`, {
      headers: { 'x-trace-id': 'client-trace-0001' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-trace-id')).toBe('client-trace-0001');
    expect(await response.json()).toEqual({ traceId: 'client-trace-0001' });
    const line = logLines.find((l) => l.msg === 'hello handled' && l.traceId === 'client-trace-0001');
    expect(line).toMatchObject({ service: 'probe', context: 'probe', level: 'info' });
  });

  it('takes the trace id from traceparent, or makes a new one per request', async () => {
    const fromParent = await fetch(`${url}/probe/hello/bob`, {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(fromParent.headers.get('x-trace-id')).toBe('4bf92f3577b34da6a3ce929d0e0e4736');

    const a = await fetch(`${url}/probe/hello/a`, { headers: { 'x-trace-id': 'bad id with spaces' } });
    const b = await fetch(`${url}/probe/hello/b`);
    const idA = a.headers.get('x-trace-id');
    const idB = b.headers.get('x-trace-id');
    expect(idA).toMatch(/^[0-9a-f]{32}$/);
    expect(idB).toMatch(/^[0-9a-f]{32}$/);
    expect(idA).not.toBe(idB);
    expect(await a.json()).toEqual({ traceId: idA });
  });

  it('serves default and HTTP metrics at /metrics with route patterns as labels', async () => {
    await fetch(`${url}/probe/hello/carol`);
    await fetch(`${url}/no-such-path-12345`);
    const response = await fetch(`${url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/probe\/hello\/:name",status="200"\} [1-9]/,
    );
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="other",status="404"\} [1-9]/,
    );
    expect(text).not.toContain('no-such-path-12345');
    expect(text).not.toContain('carol');
    // Health probes are answered before Express and never reach the histogram.
    expect(text).not.toContain('route="/readyz"');
  });

  it('lets services add metrics through MetricsService and shows them at /metrics', async () => {
    app.get(MetricsService).counter('probe_widgets_total', 'Widgets', ['kind']).inc({ kind: 'blue' });
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('probe_widgets_total{kind="blue"} 1');
  });

  it('parses JSON bodies up to the limit and rejects larger ones with 413', async () => {
    const small = await fetch(`${url}/probe/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(1000) }),
    });
    expect(small.status).toBe(201);
    expect(((await small.json()) as { size: number }).size).toBeGreaterThan(1000);

    const big = await fetch(`${url}/probe/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(150 * 1024) }),
    });
    expect(big.status).toBe(413);
  });

  it('does not advertise the framework and logs Nest messages as JSON', async () => {
    const response = await fetch(`${url}/probe/hello/dan`);
    expect(response.headers.get('x-powered-by')).toBeNull();
    const nestLine = logLines.find((l) => l.context === 'nest');
    expect(nestLine).toMatchObject({ service: 'probe' });
  });
});
