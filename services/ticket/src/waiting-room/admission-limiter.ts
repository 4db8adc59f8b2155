/**
 * How many admission passes may be outstanding (issued, neither used nor expired) for one room: an AIMD
 * concurrency limit driven by what reserving actually costs right now. Every finished reservation attempt
 * is an observation of its latency: under the target the limit grows by about one per limit's worth of
 * fast answers (additive increase); over the target, or refused by an overloaded service, it is cut by a
 * factor (multiplicative decrease), at most once per cooldown so one slow burst does not collapse it.
 * Bounded by [min, max]; min = max pins it (tests, or an organizer who knows the number).
 */
export interface AdmissionLimiterOptions {
  initial: number;
  min: number;
  max: number;
  /** A reservation slower than this means the service is past its knee. */
  targetLatencyMs: number;
  /** Multiplier applied on a decrease (0..1). */
  decreaseFactor?: number;
  /** Shortest time between two decreases; default: twice the target latency. */
  cooldownMs?: number;
  /** The latency average to start from (a limiter replacing another after a retune). */
  averageLatencyMs?: number | null;
}

export class AdmissionLimiter {
  private value: number;
  private lastDecreaseAt = -Infinity;
  private readonly decreaseFactor: number;
  private readonly cooldownMs: number;
  /** Exponentially weighted average of observed latencies (ms), for the organizer's view. */
  private averageMs: number | null = null;

  constructor(private readonly options: AdmissionLimiterOptions) {
    if (options.min < 1 || options.max < options.min)
      throw new Error('limiter bounds must be 1 <= min <= max');
    this.value = clamp(options.initial, options.min, options.max);
    this.decreaseFactor = options.decreaseFactor ?? 0.7;
    this.cooldownMs = options.cooldownMs ?? options.targetLatencyMs * 2;
    this.averageMs = options.averageLatencyMs ?? null;
  }

  /** The current limit (a whole number of outstanding passes). */
  get limit(): number {
    return Math.floor(this.value);
  }

  get averageLatencyMs(): number | null {
    return this.averageMs === null ? null : Math.round(this.averageMs);
  }

  /** One finished reservation attempt: how long it took and whether the service refused it as overloaded. */
  observe(latencyMs: number, overloaded: boolean, now = Date.now()): void {
    this.averageMs = this.averageMs === null ? latencyMs : this.averageMs * 0.8 + latencyMs * 0.2;
    if (overloaded || latencyMs > this.options.targetLatencyMs) {
      if (now - this.lastDecreaseAt < this.cooldownMs) return;
      this.lastDecreaseAt = now;
      this.value = clamp(this.value * this.decreaseFactor, this.options.min, this.options.max);
      return;
    }
    this.value = clamp(this.value + 1 / Math.max(1, this.value), this.options.min, this.options.max);
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
