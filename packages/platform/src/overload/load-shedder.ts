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
 *
 * With `maxLagMs`, the event loop's lag counts too. While work is in flight a timer measures how late the loop
 * runs it; when that passes `maxLagMs`, nothing is queued (a queued request would wait for the queue and then
 * for the loop, and its refusal would arrive late), anything beyond `minLimit` in flight is refused at once,
 * and the window counts as slow, so the limit shrinks. A lagging loop delays every answer, refusals included:
 * admitting less is the only way to keep refusals fast. With no work in flight the timer stops (no cost at rest).
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
  /** Event-loop lag above which the shedder stops queueing and admits no more than `minLimit` (0: off). */
  maxLagMs?: number;
}

export type Refusal = {
  admitted: false;
  reason: 'queue-full' | 'queue-timeout' | 'loop-lag';
  retryAfterMs: number;
};
export type Admission = { admitted: true; release: () => void };

export interface LoadShedderStats {
  limit: number;
  inFlight: number;
  queued: number;
  admitted: number;
  refused: number;
  /** Event-loop lag last measured while work was in flight (0 when idle or when lag is not watched). */
  lagMs: number;
}

interface Waiter {
  resolve: (result: Admission | Refusal) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_WINDOW = 20;
const SLOW_SHARE = 0.1;
const LAG_PROBE_INTERVAL_MS = 20;

/**
 * How late the event loop runs a timer, measured only while `busy()` says there is work: a chain of
 * `intervalMs` timers, each noting how far past its due time it ran. It stops itself when the work is done
 * and reads 0 from then on, so an idle process keeps no timer.
 */
export class LagProbe {
  private timer: NodeJS.Timeout | null = null;
  private due = 0;
  private lastLagMs = 0;

  constructor(
    private readonly busy: () => boolean,
    private readonly onTick: () => void = () => undefined,
    private readonly intervalMs = LAG_PROBE_INTERVAL_MS,
  ) {}

  /** The lag of the latest tick, in ms. */
  get lagMs(): number {
    return this.lastLagMs;
  }

  /** Starts measuring if it is not already. */
  wake(): void {
    if (this.timer === null) this.schedule();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.lastLagMs = 0;
  }

  private schedule(): void {
    this.due = performance.now() + this.intervalMs;
    this.timer = setTimeout(this.tick, this.intervalMs);
    this.timer.unref?.();
  }

  private readonly tick = (): void => {
    this.lastLagMs = Math.max(0, performance.now() - this.due);
    this.onTick();
    if (this.busy()) this.schedule();
    else this.stop();
  };
}

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
  private windowLagged = false;
  private readonly maxLagMs: number;
  private readonly probe: LagProbe | null;

  constructor(private readonly options: LoadShedderOptions) {
    if (options.minLimit < 1 || options.maxLimit < options.minLimit)
      throw new Error('LoadShedder: need 1 <= minLimit <= maxLimit');
    this.limitValue = clamp(options.initialLimit, options.minLimit, options.maxLimit);
    this.windowSize = options.windowSize ?? DEFAULT_WINDOW;
    this.maxLagMs = options.maxLagMs ?? 0;
    this.probe =
      this.maxLagMs > 0
        ? new LagProbe(
            () => this.inFlight > 0 || this.queue.length > 0,
            () => this.queue.length > 0 && this.drain(),
          )
        : null;
  }

  /** The event loop runs late beyond `maxLagMs` (always false when lag is not watched). */
  private get lagging(): boolean {
    return this.probe !== null && this.probe.lagMs > this.maxLagMs;
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
      lagMs: this.probe?.lagMs ?? 0,
    };
  }

  /** A slot now, a slot within `queueTimeoutMs`, or a refusal with a retry hint. */
  acquire(): Promise<Admission | Refusal> | Admission | Refusal {
    if (this.lagging) {
      this.windowLagged = true;
      if (this.inFlight < this.options.minLimit) return this.admit();
      return this.refuse('loop-lag');
    }
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
    this.probe?.wake();
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
    if (this.lagging) {
      // Waiters would get a slot only after the loop catches up: tell them now (beyond minLimit).
      while (this.queue.length > 0) {
        const waiter = this.queue.shift()!;
        clearTimeout(waiter.timer);
        waiter.resolve(this.inFlight < this.options.minLimit ? this.admit() : this.refuse('loop-lag'));
      }
      return;
    }
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
    if (this.windowSlow / this.windowDone > SLOW_SHARE || this.windowLagged || this.lagging) {
      this.limitValue = Math.max(minLimit, Math.floor(this.limitValue * 0.75));
    } else if (this.windowPeak >= this.limitValue) {
      // Only grow a limit that was actually reached: an idle service keeps what it has.
      this.limitValue = Math.min(maxLimit, this.limitValue + 1);
    }
    this.windowDone = 0;
    this.windowSlow = 0;
    this.windowLagged = false;
    this.windowPeak = this.inFlight;
    this.drain();
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
