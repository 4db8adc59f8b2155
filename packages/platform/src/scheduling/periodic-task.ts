import { getLogger } from '../logging';

/** What one run of a periodic task reports. */
export interface PeriodicRunResult {
  /** How many pieces of work it did; 0 means it found nothing due. */
  worked: number;
  /** When the next known piece of work falls due (e.g. the earliest hold's expiry), if any. */
  nextDueAt?: Date | null;
}

export interface PeriodicTaskOptions {
  /** For logs. */
  name: string;
  /** One run: find what is due with indexed queries, do it, report. Errors are logged and retried. */
  run(now: Date): Promise<PeriodicRunResult>;
  /** Shortest gap between two runs (also the wait after a run that did work). */
  minIntervalMs: number;
  /**
   * Longest wait when idle: each run that finds nothing doubles the wait up to this. It bounds how late work
   * nobody told this process about (another replica's, or left by a crash) is noticed.
   */
  maxIdleMs: number;
}

/**
 * The platform's sweeper loop: runs `run` again and again, soon while there is work, less and less often
 * while there is none, and exactly when the next known piece of work falls due (`nextDueAt`, or `dueAt()`
 * from a writer in this process). One run at a time; `stop()` waits for the run in progress. Every replica
 * may run the same task: each piece of work must be a guarded single-document update, so racing replicas
 * do it once.
 *
 * What a run queries is the caller's business, with one rule (ARCHITECTURE §7 and the "nothing costs at
 * rest" rule): only indexed equality plus a range over a small set (e.g. `{status: 'HELD', expiresAt: {$lte}}`
 * with an index on `{status, expiresAt}`), never a scan of a collection that grows with the business.
 */
export class PeriodicTask {
  private readonly log;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private idleWait: number;
  /** When the pending timer fires (ms since epoch). */
  private scheduledAt = Infinity;
  private lastRunAt = 0;

  constructor(private readonly options: PeriodicTaskOptions) {
    this.log = getLogger(`periodic:${options.name}`);
    this.idleWait = options.minIntervalMs;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.options.minIntervalMs);
  }

  /** Asks for a run at `at` (default: as soon as the minimum interval allows). */
  dueAt(at: Date = new Date()): void {
    if (this.stopped) return;
    this.idleWait = this.options.minIntervalMs;
    const earliest = this.lastRunAt + this.options.minIntervalMs;
    this.schedule(Math.max(at.getTime(), earliest) - Date.now());
  }

  /** Runs once now (tests, or a caller that must not wait); resolves when that run ended. */
  async runNow(now = new Date()): Promise<PeriodicRunResult> {
    await this.running;
    let result: PeriodicRunResult = { worked: 0 };
    this.running = (async () => {
      result = await this.runSafely(now);
    })();
    await this.running;
    this.running = undefined;
    return result;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.scheduledAt = Infinity;
    await this.running;
  }

  /** Arms the timer `delayMs` from now unless it already fires sooner. */
  private schedule(delayMs: number): void {
    const at = Date.now() + Math.max(0, delayMs);
    if (at >= this.scheduledAt) return;
    clearTimeout(this.timer);
    this.scheduledAt = at;
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    this.scheduledAt = Infinity;
    if (this.stopped) return;
    if (this.running) {
      this.schedule(this.options.minIntervalMs);
      return;
    }
    let result: PeriodicRunResult = { worked: 0 };
    this.running = (async () => {
      result = await this.runSafely(new Date());
    })();
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const { minIntervalMs, maxIdleMs } = this.options;
    let delay: number;
    if (result.worked > 0) {
      this.idleWait = minIntervalMs;
      delay = minIntervalMs;
    } else {
      delay = this.idleWait;
      this.idleWait = Math.min(maxIdleMs, this.idleWait * 2);
    }
    if (result.nextDueAt)
      delay = Math.min(delay, Math.max(minIntervalMs, result.nextDueAt.getTime() - Date.now()));
    this.schedule(delay);
  }

  private async runSafely(now: Date): Promise<PeriodicRunResult> {
    this.lastRunAt = Date.now();
    try {
      return await this.options.run(now);
    } catch (err) {
      this.log.warn({ err }, 'periodic run failed; will retry');
      return { worked: 0 };
    }
  }
}
