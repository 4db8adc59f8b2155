import type { Request } from 'express';
import { Counter } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { routeLabel } from './http-metrics.middleware';
import { MetricsService } from './metrics.service';

describe('MetricsService', () => {
  it('registers default metrics once, however many instances exist', async () => {
    const a = new MetricsService();
    const b = new MetricsService();
    expect(a.registry).toBe(b.registry);
    const text = await a.registry.metrics();
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text.match(/^# TYPE process_cpu_user_seconds_total/gm)).toHaveLength(1);
  });

  it('returns the already registered metric when asked twice', async () => {
    const metrics = new MetricsService();
    const first = metrics.counter('spec_things_total', 'Things', ['kind']);
    const second = metrics.counter('spec_things_total', 'Things', ['kind']);
    expect(second).toBe(first);
    expect(first).toBeInstanceOf(Counter);
    first.inc({ kind: 'a' }, 2);
    expect(await metrics.registry.getSingleMetricAsString('spec_things_total')).toContain(
      'spec_things_total{kind="a"} 2',
    );

    const h1 = metrics.histogram('spec_latency_seconds', 'Latency', [], { buckets: [0.1, 1] });
    expect(metrics.histogram('spec_latency_seconds', 'Latency')).toBe(h1);
    const g1 = metrics.gauge('spec_pending', 'Pending');
    expect(metrics.gauge('spec_pending', 'Pending')).toBe(g1);
  });

  it('refuses to reuse a name for another metric type', () => {
    const metrics = new MetricsService();
    metrics.counter('spec_clash_total', 'Clash');
    expect(() => metrics.gauge('spec_clash_total', 'Clash')).toThrow(/another type/);
  });
});

describe('routeLabel', () => {
  const req = (fields: Partial<Request>) => fields as Request;

  it('uses the matched route pattern, not the concrete path', () => {
    expect(
      routeLabel(req({ route: { path: '/events/:id' }, baseUrl: '/api', originalUrl: '/api/events/42' })),
    ).toBe('/api/events/:id');
  });

  it('keeps known middleware paths and folds everything else into one label', () => {
    expect(routeLabel(req({ originalUrl: '/graphql?query=x' }))).toBe('/graphql');
    expect(routeLabel(req({ originalUrl: '/metrics' }))).toBe('/metrics');
    expect(routeLabel(req({ originalUrl: '/random-1234' }))).toBe('other');
  });
});
