/**
 * Test-only fault injection for the fault suite (tests/faults): `FAULT_CRASH_AFTER_WRITE=<topic>[#<n>]` makes
 * the process kill itself with SIGKILL right after the n-th record (default 1) of that catalogue topic was
 * handled — its writes are done — and before the record is marked processed and its offset committed. That
 * is the window a crash leaves a redelivery in, which every handler must survive.
 *
 * Never active in production: a production process that sees the variable refuses to start.
 */
export interface CrashAfterWrite {
  topic: string;
  /** The n-th handled record of `topic` triggers the crash (1-based). */
  nth: number;
}

export const FAULT_CRASH_VARIABLE = 'FAULT_CRASH_AFTER_WRITE';

/** Reads the hook from the environment; undefined when unset. Throws in production or on a malformed value. */
export function crashAfterWriteFromEnv(env: NodeJS.ProcessEnv = process.env): CrashAfterWrite | undefined {
  const raw = env[FAULT_CRASH_VARIABLE]?.trim();
  if (!raw) return undefined;
  if (env.NODE_ENV === 'production') {
    throw new Error(
      `${FAULT_CRASH_VARIABLE} is a test-only fault hook and is refused when NODE_ENV=production`,
    );
  }
  const match = /^([a-z0-9._-]+)(?:#([1-9][0-9]{0,5}))?$/.exec(raw);
  if (!match) throw new Error(`${FAULT_CRASH_VARIABLE} must be <topic> or <topic>#<n>, not '${raw}'`);
  return { topic: match[1], nth: match[2] ? Number(match[2]) : 1 };
}

/** Counts handled records and crashes the process at the configured one. */
export class CrashAfterWriteHook {
  private handled = 0;

  constructor(
    private readonly fault: CrashAfterWrite | undefined,
    private readonly kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
  ) {}

  /** Called after a handler succeeded and before its record is marked and committed. */
  afterWrite(topic: string): void {
    if (!this.fault || topic !== this.fault.topic) return;
    this.handled += 1;
    if (this.handled === this.fault.nth) {
      process.stderr.write(`${FAULT_CRASH_VARIABLE}: crashing after record ${this.handled} of ${topic}\n`);
      this.kill();
    }
  }
}
