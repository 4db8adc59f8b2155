import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ES module of the benchmarks, without type declarations
import * as report from './report.mjs';

const {
  HISTORY_BEGIN,
  HISTORY_END,
  SUMMARY_BEGIN,
  WHY_SLOT,
  carryHistory,
  evaluateTargets,
  formatRatio,
  median,
  mergeRuns,
  previousWhys,
  renderReport,
} = report;

/** One run of events-listing as its --json writes it, with the figures scaled by `f`. */
const listingRun = (f: number, gatewayRss = 250) => ({
  scenario: 'events-listing',
  command: 'node bench/events-listing/run.mjs --cached-only',
  unit: 'requests',
  rows: [
    {
      key: 'subgraph-cached',
      label: 'event subgraph, cache on (Redis)',
      throughput: 400 * f,
      latency: { request: { p50: 10 * f, p95: 20 * f, p99: 30 * f } },
      count: 4000,
      errors: 0,
      cpuMsPerOp: { event: 1.5 * f },
    },
    {
      key: 'gateway-cached',
      label: 'gateway → event subgraph, cache on',
      throughput: 100 * f,
      latency: { request: { p50: 40, p95: 80, p99: 120 } },
      count: 1000,
      errors: 0,
      cpuMsPerOp: { gateway: 5, event: 2 },
    },
  ],
  ceilings: [{ key: 'bare-http', label: 'bare Node HTTP server', throughput: 3000 }],
  rssMb: { gateway: gatewayRss, event: 200 },
});

const meta = (date: string) => ({
  date,
  commit: 'abc1234',
  node: 'v24.0.0',
  machine: '2 × test CPU',
  command: 'node bench/run-all.mjs',
  quick: false,
  runsPerScenario: 3,
  seconds: 600,
  rawDir: '.data/bench/run-all-x',
  method: 'warm-up then 3 runs',
});

const section = (median: unknown) => ({
  id: 'events-listing',
  title: 'Cached listing',
  commands: { warmup: 'node w', measured: 'node m' },
  runs: [
    { exitCode: 0, seconds: 40, ok: true },
    { exitCode: 0, seconds: 41, ok: true },
    { exitCode: 1, seconds: 9, ok: false, note: 'log x' },
  ],
  loadBefore: [0.5, 0.4, 0.3],
  loadAfter: [1.5, 0.9, 0.5],
  seconds: 90,
  median,
});

describe('median', () => {
  it('takes the middle value, the mean of the middle two, and ignores what is not a finite number', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([5, null, NaN, undefined, 1, 3])).toBe(3);
    expect(median([])).toBeNull();
  });
});

describe('mergeRuns', () => {
  it('takes the median of every figure, matching rows by key whatever their order', () => {
    const a = listingRun(1);
    const b = listingRun(3);
    b.rows.reverse();
    const merged = mergeRuns([a, b, listingRun(2), null]);
    expect(merged.runs).toBe(3);
    expect(merged.rows.map((r: { key: string }) => r.key)).toEqual(['subgraph-cached', 'gateway-cached']);
    const subgraph = merged.rows[0];
    expect(subgraph.throughput).toBe(800);
    expect(subgraph.latency.request).toEqual({ p50: 20, p95: 40, p99: 60 });
    expect(subgraph.cpuMsPerOp.event).toBe(3);
    expect(subgraph.label).toBe('event subgraph, cache on (Redis)');
    expect(merged.ceilings[0].throughput).toBe(3000);
  });

  it('keeps the worst run for checks, and both the median and the max of peak RSS', () => {
    const runs = [0, 2, 0].map((oversold, i) => ({
      ...listingRun(1, [250, 320, 260][i]),
      checks: { oversold },
    }));
    const merged = mergeRuns(runs);
    expect(merged.checks.oversold).toBe(2);
    expect(merged.rssMb.gateway).toBe(260);
    expect(merged.rssMbMax.gateway).toBe(320);
  });

  it('uses the runs that have a row when another run lacks it, and gives null without any run', () => {
    const partial = listingRun(1);
    partial.rows = partial.rows.slice(0, 1);
    const merged = mergeRuns([partial, listingRun(3)]);
    expect(merged.rows[1].throughput).toBe(300);
    expect(merged.rows[0].throughput).toBe(800);
    expect(mergeRuns([null, null])).toBeNull();
  });
});

describe('targets and ratios', () => {
  it('decides met, missed and not measured from the medians', () => {
    const targets = evaluateTargets({
      'events-listing': mergeRuns([listingRun(1)]),
      'gate-rush': {
        rows: [
          { key: 'gateway', throughput: 410, latency: { scan: { p50: 10, p95: 50, p99: 150 } } },
          { key: 'dashboard', latency: { dashboard: { p50: 100, p95: 400, p99: 900 } } },
        ],
        rssMbMax: { checkin: 310, 'Redis (shared)': 900 },
      },
    });
    const status = Object.fromEntries(targets.map((t: { id: string; status: string }) => [t.id, t.status]));
    expect(status).toEqual({
      'flash-knee': 'not measured',
      'gate-rate': 'met',
      'gate-p99': 'missed',
      'listing-share': 'missed',
      'price-read': 'not measured',
      'price-subscription': 'not measured',
      dashboard: 'met',
      'at-rest': 'not measured',
      rss: 'missed',
    });
    const listing = targets.find((t: { id: string }) => t.id === 'listing-share');
    expect(listing.measured).toBe('25 % (100 of 400 rps)');
    // The shared servers are not services: the worst service is check-in.
    expect(targets.find((t: { id: string }) => t.id === 'rss').measured).toContain(
      '310 MB (checkin, gate-rush',
    );
  });

  it('reads both price figures, and counts a figure without samples as not measured', () => {
    const price = (read: number | null, update: number) => ({
      'price-propagation': {
        rows: [
          { key: 'subscription', latency: { latency: { p50: 100, p95: update, p99: 300 } } },
          { key: 'read', latency: { latency: { p50: 100, p95: read, p99: 300 } } },
        ],
      },
    });
    const status = (m: unknown) =>
      evaluateTargets(m)
        .filter((t: { id: string }) => t.id.startsWith('price-'))
        .map((t: { status: string }) => t.status);
    expect(status(price(273, 204))).toEqual(['missed', 'met']);
    expect(status(price(null, 251))).toEqual(['not measured', 'missed']);
  });

  it('does not count scans answered with an error towards the gate rate', () => {
    const gate = (errors: number) =>
      evaluateTargets({ 'gate-rush': { rows: [{ key: 'gateway', throughput: 420, errors }] } }).find(
        (t: { id: string }) => t.id === 'gate-rate',
      );
    expect(gate(0).status).toBe('met');
    expect(gate(3)).toMatchObject({ status: 'missed', measured: '420.0 scans/s, 3 errors' });
  });

  it('judges the stack at rest on the whole stack, Kafka and Redis included', () => {
    const rest = (stackPercent: number, wholePercent: number) =>
      evaluateTargets({ 'at-rest': { rows: [], atRest: { stackPercent, wholePercent } } }).find(
        (t: { id: string }) => t.id === 'at-rest',
      );
    expect(rest(1.2, 4.9).status).toBe('met');
    expect(rest(1.2, 5.5)).toMatchObject({
      status: 'missed',
      measured: '5.5 % (services + database 1.2 %, the rest Kafka and Redis)',
    });
  });

  it('needs both the knee and 0 oversold for the flash-sale target', () => {
    const flash = (knee: number, oversold: number) =>
      evaluateTargets({ 'flash-sale': { knee: { rate: 150, throughput: knee }, checks: { oversold } } })[0]
        .status;
    expect(flash(120, 0)).toBe('met');
    expect(flash(120, 1)).toBe('missed');
    expect(flash(80, 0)).toBe('missed');
  });

  it('formats throughput as a share of the ceiling and latency as times the floor', () => {
    expect(formatRatio(100, 400, 'throughput')).toBe('25 %');
    expect(formatRatio(300, 20, 'latency')).toBe('× 15');
    expect(formatRatio(30, 20, 'latency')).toBe('× 1.5');
    expect(formatRatio(undefined, 20, 'latency')).toBe('n/a');
  });
});

describe('renderReport', () => {
  it('writes the summary, each scenario with its commands, tables, ceilings and RSS', () => {
    const text = renderReport(meta('2026-12-01T10:00:00Z'), [
      section(mergeRuns([listingRun(1), listingRun(1)])),
    ]);
    expect(text).toContain(SUMMARY_BEGIN);
    expect(text).toContain('## Summary: 2026-12-01T10:00:00Z, commit abc1234, median of 3 runs');
    expect(text).toMatch(
      /\| Cached listing through the gateway ≥ 50 % .* \| 25 % \(100 of 400 rps\) \| \*\*missed\*\* \|/,
    );
    expect(text).toContain(WHY_SLOT);
    expect(text).toContain('- warm-up, discarded: `node w`');
    expect(text).toContain('2 of 3 measured runs produced figures');
    expect(text).toContain('run 3: no figures, exit 1, 9 s (log x)');
    expect(text).toContain('| event subgraph, cache on (Redis) | 400.0 | 10.0 / 20.0 / 30.0 | 4000 | 0 |');
    // gateway ÷ subgraph, gateway ÷ bare HTTP server, subgraph ÷ bare HTTP server
    expect(text).toMatch(
      /\| gateway → cached subgraph, rps \| 100\.0 \| the cached subgraph alone, rps \| 400\.0 \| 25 % \|/,
    );
    expect(text).toContain('| 3.3 % |');
    expect(text).toContain('| gateway | 250 (250) |');
    expect(text).toContain(
      '| Flash sale: knee through the gateway ≥ 100 purchases/s, 0 oversold | — | not measured | — |',
    );
  });

  it('renders the stack at rest without an empty figures or ceilings table', () => {
    const atRest = (ferretdb: number, whole: number) => ({
      scenario: 'at-rest',
      data: { users: 100000, events: 1000, purchases: 100000 },
      rows: [],
      atRest: {
        seconds: 30,
        cpuPercent: { auth: 0.5, ferretdb, 'kafka (shared)': 3 },
        stackPercent: 0.5 + ferretdb,
        wholePercent: whole,
        rowsReadPerSecond: 0,
        fullScans: 0,
      },
      rssMb: { auth: 120 },
    });
    const median = mergeRuns([atRest(0.4, 4.1), atRest(0.2, 3.9), atRest(0.3, 4.5)]);
    const text = renderReport(meta('2026-12-01T10:00:00Z'), [
      { ...section(median), id: 'at-rest', title: 'The stack at rest' },
    ]);
    const part = text.slice(text.indexOf('## The stack at rest'), text.indexOf('## History'));
    expect(part).toContain('with 100,000 users, 1,000 events and 100,000 purchases stored');
    expect(part).toContain('| ferretdb | 0.30 % |');
    expect(part).toContain('| **whole stack** | **4.10 %** |');
    expect(part).not.toContain('Ceilings measured');
    expect(part).not.toContain('| count | errors |');
    expect(text).toMatch(
      /\| At rest with data stored: .* \| 4\.1 % \(services \+ database 0\.8 %.* \| met \|/,
    );
  });

  it('says so when a scenario produced no figures', () => {
    const text = renderReport(meta('2026-12-01T10:00:00Z'), [section(null)]);
    expect(text).toContain('No run produced figures');
  });
});

describe('history', () => {
  it('moves the previous summary under History with its date, newest first, and never drops one', () => {
    const sections = [section(mergeRuns([listingRun(1)]))];
    const first = renderReport(meta('2026-12-01T10:00:00Z'), sections);
    expect(carryHistory('')).toBe('');
    const second = renderReport(meta('2026-12-02T10:00:00Z'), sections, first);
    const third = renderReport(meta('2026-12-03T10:00:00Z'), sections, second);
    const history = third.slice(third.indexOf(HISTORY_BEGIN), third.indexOf(HISTORY_END));
    expect(history).toContain('### 2026-12-02T10:00:00Z, commit abc1234');
    expect(history).toContain('### 2026-12-01T10:00:00Z, commit abc1234');
    expect(history.indexOf('2026-12-02')).toBeLessThan(history.indexOf('2026-12-01'));
    expect(history).toContain('25 % (100 of 400 rps)');
    // The current summary is not in the history.
    expect(history).not.toContain('2026-12-03');
  });

  it("carries a filled-in 'why' to the next report while the target stays missed", () => {
    const first = renderReport(meta('2026-12-01T10:00:00Z'), [section(mergeRuns([listingRun(1)]))]);
    const filled = first.replace(WHY_SLOT, 'the gateway plans every request; cache the plan');
    expect(previousWhys(filled).size).toBe(1);
    const second = renderReport(meta('2026-12-02T10:00:00Z'), [section(mergeRuns([listingRun(1)]))], filled);
    const summary = second.slice(0, second.indexOf('## How this was measured'));
    expect(summary).toContain(
      'the gateway plans every request; cache the plan _(written for the 2026-12-01T10:00:00Z run)_',
    );
    // Met now: no why is carried.
    const met = listingRun(1);
    met.rows[1].throughput = 300;
    const third = renderReport(meta('2026-12-03T10:00:00Z'), [section(mergeRuns([met]))], second);
    expect(third.slice(0, third.indexOf('## How this was measured'))).not.toContain('cache the plan');
  });
});

describe('renderScenario', () => {
  it('keeps the knee out of the table above it and a CPU-only row out of the figures table', () => {
    const flash = {
      scenario: 'flash-sale',
      unit: 'purchases',
      rows: [
        { key: '50/s', label: '50 buyers/s', throughput: 48, count: 200, errors: 0 },
        { key: 'cpu-window', label: 'measured window', cpuMsPerOp: { ticket: 20 } },
      ],
      knee: { rate: 50, throughput: 48 },
    };
    const text = renderReport(meta('2026-12-01T10:00:00Z'), [
      { ...section(mergeRuns([flash])), id: 'flash-sale', title: 'Flash sale' },
    ]);
    expect(text).toMatch(/\| 50 buyers\/s \| 48\.0 \| 200 \| 0 \|\n\nKnee \(highest rate/);
    expect(text).not.toMatch(/\| measured window \| —/);
    expect(text).toContain('| measured window | 20.00 |');
  });
});
