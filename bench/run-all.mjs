#!/usr/bin/env node
// `make bench`: every scenario of issue 16 in one go (the stack at rest with data stored, cached listing, gate
// rush with scan → dashboard, purchase → price, the flash-sale ramp), each as a warm-up run and then 3 measured
// runs, and one bench/REPORT.md with the median of the runs for every figure, the ceilings measured in the same
// run, the targets and a history of earlier summaries. Each scenario is its own script (bench/<scenario>/run.mjs), run as a child process with
// `--json <file> --no-report`, so the hand-written analyses in the scenarios' own REPORT.md stay as they are.
//
//   make bench                                  (= make infra-up build, then this script)
//   node bench/run-all.mjs [--quick] [--only events-listing,gate-rush] [--runs 3] [--no-warmup] [--out <file>]
//
// --quick: one short run per scenario, no warm-up, written to .data/bench/REPORT-quick.md (smoke test: the
// figures mean nothing). --only: a subset, comma-separated, written to .data/bench/REPORT-only.md. --out: another
// report file (bench/REPORT.md is the default of a full run only). Raw JSON and the log of
// every run go to .data/bench/run-all-<date>/. A run that overruns its scenario's time limit is stopped (its
// whole process group) and counted as a run without figures. The report is written whatever happens; the exit
// status is 1 when any measured run failed (no figures, or a check of the scenario failed), with the end of
// that run's log on stderr.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeSampler } from './lib/proc-tree.mjs';
import { mergeRuns, renderReport } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

/**
 * The scenarios, in the order they run (cheapest first). `args`: a measured run, sized so that the whole of
 * `make bench` stays within about 25 minutes on the 2-core machine (see bench/README.md); `quick`: the
 * warm-up and --quick run; `timeoutS`: the most one run may take before it is stopped.
 */
const SCENARIOS = [
  {
    id: 'at-rest',
    title: 'The stack at rest, with data stored',
    script: 'bench/at-rest/run.mjs',
    // Measured first, while nothing else has run on the stack yet. Loading the data is most of a run.
    args: '--users 100000 --events 1000 --purchases 100000 --seconds 30 --settle 20',
    quick: '--users 1000 --events 20 --purchases 1000 --seconds 5 --settle 3',
    timeoutS: 900,
    // Nothing to warm up at rest. Loading the issue's 400,000 documents takes minutes, and a minute of rest varies
    // little from run to run: one measured run.
    noWarmup: true,
    maxRuns: 1,
  },
  {
    id: 'events-listing',
    title: 'Cached listing: `events(first: 20)` through the gateway',
    script: 'bench/events-listing/run.mjs',
    args: '--duration 8 --warmup 2 --connections 16 --cached-only --no-search --ceiling',
    quick: '--duration 2 --warmup 1 --connections 16 --cached-only --no-search --ceiling',
    timeoutS: 240,
  },
  {
    id: 'gate-rush',
    title: 'Gate rush at the doors, and scan → dashboard',
    script: 'bench/gate-rush/run.mjs',
    // 420 scans/s offered so that a system that keeps up shows ≥ 400/s; 2,200 tickets cover both phases'
    // first scans (80 % of 1,260 each).
    args: '--tickets 2200 --rate 420 --seconds 3 --redis-seconds 3 --redis-clients 32',
    quick: '--tickets 400 --rate 50 --seconds 2 --redis-seconds 1 --redis-clients 32',
    timeoutS: 360,
    pipeline: true,
  },
  {
    id: 'price-propagation',
    title: 'Purchase → new price visible through the gateway',
    script: 'bench/price-propagation/run.mjs',
    args: '--types 2 --background-rate 4 --debounce 20',
    quick: '--types 1 --background-rate 2 --debounce 20',
    timeoutS: 300,
    pipeline: true,
    windowCpu: true,
  },
  {
    id: 'flash-sale',
    title: 'Flash-sale ramp through the gateway',
    script: 'bench/flash-sale/run.mjs',
    // Goodput counts from the first arrival to the last purchase, so a step offered exactly 100 buyers/s
    // shows a little under 100 purchases/s even when it keeps up: the middle step is offered 110.
    args: '--rates 50,110,150 --step-seconds 4 --patience 8 --direct',
    quick: '--rates 10,20 --step-seconds 3 --patience 5 --direct',
    timeoutS: 420,
  },
];

const PIPELINE_SAMPLES = 50;

// ---------------------------------------------------------------------------------------------- options
const argv = process.argv.slice(2);
const option = (name) => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
const quick = argv.includes('--quick');
const runs = quick ? 1 : Math.min(Math.max(Number(option('runs') ?? 3), 1), 5);
const warmup = !quick && !argv.includes('--no-warmup');
const only = option('only')?.split(',').filter(Boolean);
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length) {
  console.error(
    `--only: unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
  );
  process.exit(2);
}
const selected = SCENARIOS.filter((s) => !only || only.includes(s.id));
// Only a full run goes to bench/REPORT.md by default: a smoke test or a subset would push a partial summary
// into its history.
const outFile = resolve(
  option('out') ??
    (quick
      ? join(root, '.data/bench/REPORT-quick.md')
      : only
        ? join(root, '.data/bench/REPORT-only.md')
        : join(here, 'REPORT.md')),
);
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const rawDir = join(root, '.data/bench', `run-all-${stamp}`);
mkdirSync(rawDir, { recursive: true });

// ---------------------------------------------------------------------------------------------- running
let current = null; // the child being run, for Ctrl-C
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    if (current) killGroup(current.pid, 'SIGTERM');
    console.error(`\nbench: ${signal}; the report is not written`);
    process.exit(130);
  });

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs one node script in its own process group with its output in `logFile`; stops the whole group after
 * `timeoutS`. Resolves { exitCode, seconds, timedOut, tree } (tree: the process-tree sampler's result).
 */
async function runScript(script, args, logFile, timeoutS) {
  const log = openSync(logFile, 'w');
  const started = Date.now();
  const child = spawn(process.execPath, [join(root, script), ...args], {
    cwd: root,
    detached: true,
    stdio: ['ignore', log, log],
  });
  current = child;
  const sampler = treeSampler(child.pid);
  let timedOut = false;
  const timer = setTimeout(async () => {
    timedOut = true;
    killGroup(child.pid, 'SIGTERM');
    await sleep(15_000);
    killGroup(child.pid, 'SIGKILL');
  }, timeoutS * 1000);
  const exitCode = await new Promise((r) => child.once('exit', (code, signal) => r(code ?? signal)));
  clearTimeout(timer);
  current = null;
  closeSync(log);
  // Whatever the script started and left behind (a service it did not stop) goes with it.
  killGroup(child.pid, 'SIGTERM');
  return { exitCode, seconds: (Date.now() - started) / 1000, timedOut, tree: sampler.stop() };
}

const readJson = (file) => {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
};
const clip = (line, max = 400) => (line.length > max ? `${line.slice(0, max)} …` : line);
const tail = (file, lines = 15) => {
  try {
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(-lines)
      .map((l) => clip(l))
      .join('\n');
  } catch {
    return '';
  }
};
/** The last `SomethingError: message` line of a log, for the one-line list of failures. */
const errorLine = (file) => {
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const hit = lines.findLast((l) => /^\s*(\w*Error|Error \[\w+\]):/.test(l));
    return hit ? clip(hit.trim(), 200) : null;
  } catch {
    return null;
  }
};
const rel = (p) => relative(root, p);
const indent = (text) => text.replace(/^/gm, '    ');
/** Every measured run that failed, for the exit status and the last lines of the output. */
const failures = [];
const command = (s, args, json) => `node ${s.script} ${args}${json ? ' --json <file> --no-report' : ''}`;

/** The raw Kafka + Redis pipeline, as a ceiling row of the run it follows. */
async function pipelineCeiling(base) {
  const file = `${base}-pipeline.json`;
  await runScript(
    'bench/ceiling/pipeline.mjs',
    ['--samples', String(PIPELINE_SAMPLES), '--json', file],
    `${base}-pipeline.log`,
    120,
  );
  const p = readJson(file);
  return p
    ? {
        key: 'pipeline',
        label: `raw Kafka produce → consume, then Redis publish → deliver (${PIPELINE_SAMPLES} sequential samples, right after the run)`,
        latency: { Kafka: p.kafka, Redis: p.redis, 'Kafka + Redis': p.path },
      }
    : null;
}

/** One measured run: the scenario's JSON completed with what was measured around it. */
async function measuredRun(s, n) {
  const base = join(rawDir, `${s.id}-${n}`);
  const file = `${base}.json`;
  const result = await runScript(
    s.script,
    [...s.argsNow.split(' '), '--json', file, '--no-report'],
    `${base}.log`,
    s.timeoutS,
  );
  const json = readJson(file);
  const run = { exitCode: result.exitCode, seconds: result.seconds, ok: Boolean(json) };
  if (result.timedOut) run.note = `stopped after ${s.timeoutS} s; log ${rel(base)}.log`;
  else if (!json) run.note = `log ${rel(base)}.log`;
  else if (result.exitCode !== 0) run.note = `a check failed; log ${rel(base)}.log`;
  if (run.note) {
    const error = json ? null : errorLine(`${base}.log`);
    failures.push(`${s.id} run ${n}: ${run.note}${error ? `\n    ${error}` : ''}`);
  }
  if (!json || result.exitCode !== 0) {
    console.error(
      `\n  ${s.id} run ${n}: ${json ? 'a check failed' : 'no figures'} (exit ${result.exitCode}${
        result.timedOut ? `, stopped after ${s.timeoutS} s` : ''
      }). Last lines of ${rel(base)}.log:\n${indent(tail(`${base}.log`))}`,
    );
  }
  if (!json) return { run, json: null };
  // Peak RSS from outside when the script does not sample it itself.
  if (!json.rssMb) json.rssMb = result.tree.peakRssMb;
  // CPU per operation over the script's own measurement window, from outside (price-propagation).
  if (s.windowCpu && json.window && json.operations > 0) {
    const cpu = result.tree.cpuMsBetween(json.window[0], json.window[1]);
    json.rows.push({
      key: 'cpu-window',
      label: `all purchases of the measured window (${json.operations}, measured and background buyers)`,
      cpuMsPerOp: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v / json.operations])),
    });
  }
  if (s.pipeline) {
    const ceiling = await pipelineCeiling(base);
    if (ceiling) json.ceilings = [...(json.ceilings ?? []), ceiling];
  }
  writeFileSync(file, JSON.stringify(json, null, 2));
  return { run, json };
}

// ---------------------------------------------------------------------------------------------- main
const startedAt = new Date();
const gitCommit = (() => {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha} + uncommitted changes` : sha;
  } catch {
    return 'unknown';
  }
})();
const cpus = os.cpus();
const machine = `${cpus.length} × ${cpus[0]?.model ?? 'CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}`;
console.log(
  `bench: ${selected.map((s) => s.id).join(', ')}; ${warmup ? 'warm-up + ' : ''}${runs} run(s) each${quick ? ' (quick)' : ''}; raw figures in ${rel(rawDir)}`,
);

const sections = [];
for (const s of selected) {
  s.argsNow = quick ? s.quick : s.args;
  const loadBefore = os.loadavg();
  const t0 = Date.now();
  const warm = warmup && !s.noWarmup;
  if (warm) {
    const base = join(rawDir, `${s.id}-warmup`);
    process.stdout.write(`${s.id}: warm-up … `);
    const r = await runScript(
      s.script,
      [...s.quick.split(' '), '--json', `${base}.json`, '--no-report'],
      `${base}.log`,
      s.timeoutS,
    );
    console.log(`exit ${r.exitCode}, ${r.seconds.toFixed(0)} s`);
    // Discarded, but a warm-up that fails says why the runs after it will.
    if (r.exitCode !== 0)
      console.error(
        `  ${s.id} warm-up failed; last lines of ${rel(base)}.log:\n${indent(tail(`${base}.log`))}`,
      );
  }
  const results = [];
  const runsNow = Math.min(runs, s.maxRuns ?? runs);
  for (let n = 1; n <= runsNow; n++) {
    process.stdout.write(`${s.id}: run ${n}/${runsNow} … `);
    const r = await measuredRun(s, n);
    results.push(r);
    console.log(
      `${r.run.ok ? 'figures' : 'NO FIGURES'}, exit ${r.run.exitCode}, ${r.run.seconds.toFixed(0)} s`,
    );
  }
  sections.push({
    id: s.id,
    title: s.title,
    commands: {
      ...(warm ? { warmup: command(s, s.quick, true) } : {}),
      measured: command(s, s.argsNow, true),
    },
    runs: results.map((r) => r.run),
    loadBefore,
    loadAfter: os.loadavg(),
    seconds: (Date.now() - t0) / 1000,
    median: mergeRuns(results.map((r) => r.json)),
  });
}

const previous = existsSync(outFile) ? readFileSync(outFile, 'utf8') : '';
const report = renderReport(
  {
    date: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    commit: gitCommit,
    node: process.version,
    machine,
    command: `node bench/run-all.mjs${argv.length ? ` ${argv.join(' ')}` : ''}`,
    quick,
    runsPerScenario: runs,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    rawDir: rel(rawDir),
    method: `Each scenario: ${
      warmup ? 'one warm-up run with its short (`--quick`) parameters, discarded (not at rest), then ' : ''
    }${runs} measured run(s) (at rest: one, see bench/README.md) one after another, each a fresh set of processes on the shared local stack; every figure is the median over the runs (checks: the worst run; peak RSS: the median, the max in brackets). Ceilings are measured inside each run (events-listing: the subgraph alone and a bare Node HTTP server under the same load; gate-rush: the subgraph alone and the Redis step; flash-sale: the top rate straight to the ticket subgraph) or right after it (the raw Kafka + Redis pipeline, for gate-rush and price-propagation). Load generator, services and servers share the machine's cores.${
      only ? ` Only: ${only.join(', ')}.` : ''
    }`,
  },
  sections,
  previous,
);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, report);
console.log(
  `bench: wrote ${rel(outFile)} in ${((Date.now() - startedAt.getTime()) / 60_000).toFixed(1)} min`,
);
if (failures.length) {
  console.error(
    `bench: ${failures.length} measured run(s) failed:\n${failures.map((f) => `  ${f}`).join('\n')}`,
  );
  process.exitCode = 1;
}
