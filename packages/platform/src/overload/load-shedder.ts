/**
 * Bounded in-flight work with fast refusals. At most `limit` operations run at once; up to `queueSize` more
 * wait, each at most `queueTimeoutMs`; anything beyond is refused at once. A refusal is cheap and quick (no
 * parse, no database), so an overloaded service answers "try again" in milliseconds instead of letting every
 * request wait its turn until the caller's timeout.
 *
 * The limit adapts to observed latency (additive increase, multiplicative decrease): while operations finish
 * within `targetLatencyMs` and the limit is being used, it grows by one per window; when the window's slow
 * share passes 10 % it shrinks by a quarter (never below `minLimit` or above `maxLimit`). So the concurrency
 * settles where the service still answers in time, whatever the hardware, instead of a hand-set constant.
 */
export interface LoadShedderOptions {
  /** Concurrency the shedder starts with. */
  initialLimit: number;
  /** Bounds of the adaptive limit; minLimit = maxLimit keeps it fixed. */
  minLimit: number;
  maxLimit: number;
  /** How many requests may wait for a slot (0: refuse as soon as the limit is reached). */
  queueSize: number;
  /** Longest wait for a slot before the request is refused. */
  queueTimeoutMs: number;
  /** Latency an operation should finish within; slower ones make the limit shrink. */
  targetLatencyMs: number;
  /** Completed operations per adjustment window. */
  windowSize?: number;
}

export type Refusal = { admitted: false; reason: 'queue-full' | 'queue-timeout'; retryAfterMs: number };
export type Admission = { admitted: true; release: () => void };

export interface LoadShedderStats {
  limit: number;
  inFlight: number;
  queued: number;
  admitted: number;
  refused: number;
}

interface Waiter {
  resolve: (result: Admission | Refusal) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_WINDOW = 20;
const SLOW_SHARE = 0.1;

export class LoadShedder {
  private limitValue: number;
  private inFlight = 0;
  private readonly queue: Waiter[] = [];
  private admittedCount = 0;
  private refusedCount = 0;
  private windowDone = 0;
  private windowSlow = 0;
  private windowPeak = 0;
  private readonly windowSize: number;

  constructor(private readonly options: LoadShedderOptions) {
    if (options.minLimit < 1 || options.maxLimit < options.minLimit)
      throw new Error('LoadShedder: need 1 <= minLimit <= maxLimit');
    this.limitValue = clamp(options.initialLimit, options.minLimit, options.maxLimit);
    this.windowSize = options.windowSize ?? DEFAULT_WINDOW;
  }

  get limit(): number {
    return this.limitValue;
  }

  stats(): LoadShedderStats {
    return {
      limit: this.limitValue,
      inFlight: this.inFlight,
      queued: this.queue.length,
      admitted: this.admittedCount,
      refused: this.refusedCount,
    };
  }

  /** A slot now, a slot within `queueTimeoutMs`, or a refusal with a retry hint. */
  acquire(): Promise<Admission | Refusal> | Admission | Refusal {
    if (this.inFlight < this.limitValue && this.queue.length === 0) return this.admit();
    if (this.queue.length >= this.options.queueSize) return this.refuse('queue-full');
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const index = this.queue.indexOf(waiter);
          if (index >= 0) this.queue.splice(index, 1);
          resolve(this.refuse('queue-timeout'));
        }, this.options.queueTimeoutMs),
      };
      waiter.timer.unref?.();
      this.queue.push(waiter);
    });
  }

  /** A retry hint: about the time the work already admitted or waiting needs to drain, 50 ms .. 5 s. */
  retryAfterMs(): number {
    const perSlot = this.options.targetLatencyMs / Math.max(1, this.limitValue);
    return clamp(Math.round((this.inFlight + this.queue.length) * perSlot), 50, 5_000);
  }

  private refuse(reason: Refusal['reason']): Refusal {
    this.refusedCount += 1;
    return { admitted: false, reason, retryAfterMs: this.retryAfterMs() };
  }

  private admit(): Admission {
    this.inFlight += 1;
    this.admittedCount += 1;
    if (this.inFlight > this.windowPeak) this.windowPeak = this.inFlight;
    const started = performance.now();
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        this.observe(performance.now() - started);
        this.drain();
      },
    };
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.limitValue) {
      const waiter = this.queue.shift()!;
      clearTimeout(waiter.timer);
      waiter.resolve(this.admit());
    }
  }

  private observe(latencyMs: number): void {
    this.windowDone += 1;
    if (latencyMs > this.options.targetLatencyMs) this.windowSlow += 1;
    if (this.windowDone < this.windowSize) return;
    const { minLimit, maxLimit } = this.options;
    if (this.windowSlow / this.windowDone > SLOW_SHARE) {
      this.limitValue = Math.max(minLimit, Math.floor(this.limitValue * 0.75));
    } else if (this.windowPeak >= this.limitValue) {
      // Only grow a limit that was actually reached: an idle service keeps what it has.
      this.limitValue = Math.min(maxLimit, this.limitValue + 1);
    }
    this.windowDone = 0;
    this.windowSlow = 0;
    this.windowPeak = this.inFlight;
    this.drain();
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
