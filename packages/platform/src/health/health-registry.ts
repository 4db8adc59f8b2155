import { Inject, Injectable } from '@nestjs/common';
import { PLATFORM_CONFIG } from '../config/config.constants';
import { withTimeout } from '../common/with-timeout';
import type { BaseConfig } from '../config/base-config.schema';

export type HealthCheckFn = () => Promise<void>;

export interface HealthCheckResult {
  status: 'up' | 'down';
  durationMs: number;
  error?: string;
}

export interface HealthReport {
  ok: boolean;
  checks: Record<string, HealthCheckResult>;
}

class CheckTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms}ms`);
  }
}

/**
 * Named readiness checks (Mongo, Redis, Kafka, anything a service adds). `/readyz` runs all of
 * them in parallel, each bounded by `HEALTH_CHECK_TIMEOUT_MS`, and is 503 when any is down.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();
  readonly timeoutMs: number;

  constructor(@Inject(PLATFORM_CONFIG) config: Pick<BaseConfig, 'HEALTH_CHECK_TIMEOUT_MS'>) {
    this.timeoutMs = config.HEALTH_CHECK_TIMEOUT_MS ?? 1000;
  }

  /** Adds (or replaces) the check called `name`. A check resolves when healthy and throws otherwise. */
  register(name: string, check: HealthCheckFn): void {
    this.checks.set(name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
  }

  names(): string[] {
    return [...this.checks.keys()];
  }

  async run(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks.entries()].map(async ([name, check]): Promise<[string, HealthCheckResult]> => {
        const started = performance.now();
        try {
          // Promise.resolve().then: a check that throws synchronously is a failed check, not a crash.
          await withTimeout(
            Promise.resolve().then(check),
            this.timeoutMs,
            () => new CheckTimeoutError(this.timeoutMs),
          );
          return [name, { status: 'up', durationMs: Math.round(performance.now() - started) }];
        } catch (error) {
          const message = (error instanceof Error ? error.message : String(error)).slice(0, 300);
          return [
            name,
            { status: 'down', durationMs: Math.round(performance.now() - started), error: message },
          ];
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return { ok: entries.every(([, result]) => result.status === 'up'), checks };
  }
}
