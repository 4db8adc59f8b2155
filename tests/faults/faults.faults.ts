// The fault suite: a small flash sale (buyers reserve and pay through the gateway, each ticket is scanned
// at two gates at once) while one fault is injected, then the history of every client operation is checked
// against the final databases (tests/faults/history.ts). Runs on a PRIVATE stack (its own Kafka, FerretDB +
// PostgreSQL and Redis, tests/faults/private-stack.ts), never the shared one.
//   npx vitest run --config tests/faults/vitest.config.ts
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  flashSale,
  publishEvent,
  readState,
  REPO_ROOT,
  SERVICES,
  sweepUp,
  waitUntil,
  type Platform,
  type Run,
  type SaleEvent,
  type ServiceName,
  startPlatform,
} from './harness';
import { checkHistory, type Verdict } from './history';
import { startPrivateStack, type PrivateStack } from './private-stack';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const STOCK = 30;
const BUYERS = 45;
const RESULTS = join(REPO_ROOT, '.data', 'test-results');
const LINES = join(RESULTS, 'faults.txt');

let stack: PrivateStack;
let platform: Platform;
const lines: string[] = [];

/** Waits until `run` at `ms` since the sale began. */
const at = async (run: Run, ms: number) => {
  const wait = run.t0 + ms - Date.now();
  if (wait > 0) await sleep(wait);
};

/**
 * Runs one fault: publishes a fresh event, sells it under the fault, buys what is left once the fault is
 * over, lets the platform settle and checks the history. `restarts` says how many times each service may
 * have been restarted (a crash or SIGTERM restarts once; an infrastructure fault restarts nothing).
 */
async function runFault(
  name: string,
  options: {
    seconds: number;
    during: (run: Run, sale: SaleEvent) => Promise<void>;
    restarts?: Partial<Record<ServiceName, number>>;
  },
): Promise<Verdict> {
  const before = Object.fromEntries(SERVICES.map((s) => [s, platform.services[s].restarts]));
  const sale = await publishEvent(platform, STOCK);
  const run = await flashSale(platform, sale, {
    buyers: BUYERS,
    seconds: options.seconds,
    during: (r) => options.during(r, sale),
  });
  await Promise.all(SERVICES.map((s) => platform.services[s].settled()));
  await sweepUp(platform, run, sale);
  // Settle: outboxes drain, consumers catch up, recovery finishes captured payments; then the final check.
  let verdict = checkHistory(name, run.history, await readState(platform, sale, true));
  await waitUntil(`${name} settles`, 45_000, async () => {
    verdict = checkHistory(name, run.history, await readState(platform, sale, true));
    return verdict.violations.length === 0;
  }).catch(() => undefined);
  verdict = checkHistory(name, run.history, await readState(platform, sale, true));
  const restarts = SERVICES.map((s) => `${s} ${platform.services[s].restarts - before[s]}`).join(', ');
  const line = `${verdict.line} [restarts: ${restarts}]`;
  lines.push(line);
  mkdirSync(RESULTS, { recursive: true });
  appendFileSync(LINES, `${new Date().toISOString()} ${line}\n`);
  console.log(`[faults] ${line}`);
  for (const s of SERVICES) {
    expect(platform.services[s].restarts - before[s], `${name}: restarts of ${s}`).toBe(
      options.restarts?.[s] ?? 0,
    );
  }
  expect(verdict.violations, verdict.line).toEqual([]);
  // The run must actually have exercised the platform.
  expect(verdict.figures.sold).toBe(STOCK);
  expect(verdict.figures.admitted).toBeGreaterThan(0);
  return verdict;
}

describe('fault injection during a flash sale (private stack)', () => {
  beforeAll(async () => {
    stack = await startPrivateStack(REPO_ROOT, 'faults');
    platform = await startPlatform(stack);
  }, 240_000);

  afterAll(async () => {
    for (const line of lines) console.log(`[faults] ${line}`);
    await platform?.stop();
    await stack?.down();
  }, 120_000);

  it('kill -9 Kafka at t=5 s, restart at t=20 s', async () => {
    const pid = stack.pidOf('kafka');
    await runFault('kafka-kill9', {
      seconds: 24,
      during: async (run) => {
        await at(run, 5_000);
        stack.kill9('kafka');
        await at(run, 20_000);
        await stack.start('kafka');
      },
    });
    expect(stack.pidOf('kafka')).not.toBe(pid);
  }, 300_000);

  it('restart Redis with a flush (no persistence: every key is gone)', async () => {
    await runFault('redis-flush', {
      seconds: 8,
      during: async (run) => {
        await at(run, 3_000);
        stack.kill9('redis');
        await stack.start('redis');
      },
    });
  }, 240_000);

  it('kill -9 the MongoDB-compatible server for 10 s', async () => {
    await runFault('mongo-kill9', {
      seconds: 16,
      during: async (run) => {
        await at(run, 4_000);
        stack.kill9('mongo');
        await at(run, 14_000);
        await stack.start('mongo');
      },
    });
  }, 240_000);

  // A consumer killed between its handler's write and its offset commit (FAULT_CRASH_AFTER_WRITE, the
  // platform's test-only hook): the record comes again to the restarted process, which must not count twice.
  const crashes: Array<[ServiceName, string]> = [
    ['ticket', 'pricing.prices#2'], // the price change at the tier boundary, after the initial price
    ['pricing', 'ticket.orders#10'], // the 10th order.confirmed folded into the demand totals
    ['checkin', 'checkin.checkins#8'], // the 8th checkin.recorded folded into the attendance counters
  ];
  for (const [service, hook] of crashes) {
    it(`kill -9 ${service} between a write and its offset commit (${hook})`, async () => {
      await platform.services[service].restartWith({ FAULT_CRASH_AFTER_WRITE: hook });
      const before = platform.services[service].restarts;
      await runFault(`crash-${service}`, {
        seconds: 8,
        during: async () => undefined,
        restarts: { [service]: 1 },
      });
      expect(platform.services[service].exits.at(-1)).toBe('SIGKILL');
      expect(platform.services[service].restarts).toBe(before + 1);
    }, 240_000);
  }

  it('SIGTERM the ticket service under load (it drains and is started again)', async () => {
    let exit: number | NodeJS.Signals | undefined;
    await runFault('sigterm-ticket', {
      seconds: 8,
      during: async (run) => {
        await at(run, 3_000);
        exit = await platform.services.ticket.sigterm();
      },
      restarts: { ticket: 1 },
    });
    expect(exit, 'a graceful shutdown exits 0').toBe(0);
  }, 240_000);
});
