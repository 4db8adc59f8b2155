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
  // Event-loop delay is sampled every 200 ms rather than prom-client's 10 ms: every wake-up of an idle process
  // costs CPU (a bare Node process with a 50 ms timer uses 0.13-0.2 % of a core, measured with /proc ticks
  // over 60 s), and a stall worth alerting on (hundreds of ms) still delays a sample.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 200 });
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
