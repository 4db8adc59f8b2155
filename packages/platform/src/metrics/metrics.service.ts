import { Injectable } from '@nestjs/common';
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  register,
  type Metric,
  type Registry,
} from 'prom-client';

const DEFAULT_METRICS_MARKER = 'process_cpu_user_seconds_total';

/** Registers prom-client's default process metrics once per process (safe to call repeatedly). */
export function ensureDefaultMetrics(registry: Registry = register): void {
  if (registry.getSingleMetric(DEFAULT_METRICS_MARKER)) return;
  // Event-loop delay is sampled every 50 ms rather than prom-client's 10 ms: a timer a hundred times a second
  // in every process is a visible share of what an idle service costs, and lag worth alerting on is larger.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 50 });
}

export interface HistogramOptions {
  buckets?: number[];
}

/**
 * Access to the process-wide prom-client registry. `counter/histogram/gauge` create a metric or return
 * the one already registered under that name, so modules and tests can call them more than once.
 */
@Injectable()
export class MetricsService {
  readonly registry: Registry = register;

  constructor() {
    ensureDefaultMetrics(this.registry);
  }

  counter<L extends string = string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return (
      this.existing(name, Counter) ?? new Counter<L>({ name, help, labelNames, registers: [this.registry] })
    );
  }

  gauge<L extends string = string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.existing(name, Gauge) ?? new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string = string>(
    name: string,
    help: string,
    labelNames: readonly L[] = [],
    options: HistogramOptions = {},
  ): Histogram<L> {
    return (
      this.existing(name, Histogram) ??
      new Histogram<L>({ name, help, labelNames, buckets: options.buckets, registers: [this.registry] })
    );
  }

  /** The Prometheus text exposition of every registered metric. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private existing<M extends Metric>(
    name: string,
    kind: abstract new (...args: never[]) => M,
  ): M | undefined {
    const found = this.registry.getSingleMetric(name);
    if (!found) return undefined;
    if (!(found instanceof kind)) throw new Error(`metric ${name} is already registered with another type`);
    return found;
  }
}
