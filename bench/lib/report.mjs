// The pure half of bench/run-all.mjs: medians over runs, the ratios to the ceilings, the targets of issue 16,
// the Markdown of bench/REPORT.md and the carry-over of the previous summary into its history. No I/O here, so
// report.spec.ts can test it with hand-made figures.
//
// A run's figures are the JSON a scenario writes with `--json` (see bench/README.md):
//   { scenario, command, unit, rows: [{ key, label, throughput?, latency?: { name: { p50, p95, p99 } },
//     count?, errors?, cpuMsPerOp?: { process: ms }, values?: { name: n }, checks?: { name: n } }],
//     ceilings: [same shape as a row], checks?: { name: n }, rssMb?: { process: MB }, knee?: {...} }
// and, from bench/at-rest, `atRest: { seconds, cpuPercent: { process: % of a core }, stackPercent, wholePercent,
// rowsReadPerSecond, fullScans }` with `data: { users, events, purchases }` and no rows.

export const SUMMARY_BEGIN = '<!-- summary:begin -->';
export const SUMMARY_END = '<!-- summary:end -->';
export const HISTORY_BEGIN = '<!-- history:begin -->';
export const HISTORY_END = '<!-- history:end -->';
/** What a missed target's "why" cell says until someone writes the reason (from the scenario's REPORT.md). */
export const WHY_SLOT = '**WHY: to fill in** (from the scenario report: cause, and what would reach it)';

/** The Node services of the project: the 300 MB limit applies to these, not to the servers or the load generator. */
export const SERVICES = ['auth', 'event', 'ticket', 'checkin', 'pricing', 'gateway'];

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

/** Median of the finite numbers in `values` (mean of the middle two when even); null when there are none. */
export function median(values) {
  const sorted = values.filter(isNum).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const maxOf = (values) => {
  const nums = values.filter(isNum);
  return nums.length ? Math.max(...nums) : null;
};

const isKeyedList = (values) =>
  values.some((v) => Array.isArray(v) && v.length > 0) &&
  values.every(
    (v) => v == null || (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && 'key' in x)),
  );

/**
 * Combines the same figure from several runs: numbers by `pick` (median by default), objects key by key, lists
 * of `{ key }` objects matched by key (in order of first appearance), anything else taken from the first run
 * that has it. Objects named `checks` take the maximum (the worst run), whatever `pick` is.
 */
function combine(values, pick, name = '') {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length === 0) return null;
  if (name === 'checks') pick = maxOf;
  if (present.every((v) => typeof v === 'number')) return pick(present);
  if (isKeyedList(present)) {
    const keys = [...new Set(present.flatMap((list) => list.map((x) => x.key)))];
    return keys.map((key) =>
      combine(
        present.map((list) => list.find((x) => x.key === key)),
        pick,
      ),
    );
  }
  if (present.every((v) => typeof v === 'object' && !Array.isArray(v))) {
    const keys = [...new Set(present.flatMap((o) => Object.keys(o)))];
    return Object.fromEntries(
      keys.map((k) => [
        k,
        combine(
          present.map((o) => o[k]),
          pick,
          k,
        ),
      ]),
    );
  }
  return present[0];
}

/**
 * The figures of several runs of one scenario as one document: every number the median over the runs that
 * have it, `checks` the worst run, plus `rssMbMax` (the highest peak RSS per process over the runs) and `runs`.
 */
export function mergeRuns(docs) {
  const ok = docs.filter(Boolean);
  if (ok.length === 0) return null;
  const merged = combine(ok, median);
  merged.rssMbMax = combine(
    ok.map((d) => d.rssMb),
    maxOf,
  );
  merged.runs = ok.length;
  return merged;
}

export const rowOf = (doc, key) => doc?.rows?.find((r) => r.key === key) ?? null;
export const ceilingOf = (doc, key) => doc?.ceilings?.find((r) => r.key === key) ?? null;

// ---------------------------------------------------------------------------------------------- ratios

/**
 * Per scenario: our figure over the ceiling measured in the same run. `kind: 'throughput'` reads as a share
 * of the ceiling (higher is better); `kind: 'latency'` as how many times the floor (lower is better).
 */
export const RATIOS = {
  'events-listing': [
    {
      ours: 'gateway → cached subgraph, rps',
      ceiling: 'the cached subgraph alone, rps',
      kind: 'throughput',
      get: (d) => [rowOf(d, 'gateway-cached')?.throughput, rowOf(d, 'subgraph-cached')?.throughput],
    },
    {
      ours: 'gateway → cached subgraph, rps',
      ceiling: 'a bare Node HTTP server, same answer, rps',
      kind: 'throughput',
      get: (d) => [rowOf(d, 'gateway-cached')?.throughput, ceilingOf(d, 'bare-http')?.throughput],
    },
    {
      ours: 'cached subgraph alone, rps',
      ceiling: 'a bare Node HTTP server, same answer, rps',
      kind: 'throughput',
      get: (d) => [rowOf(d, 'subgraph-cached')?.throughput, ceilingOf(d, 'bare-http')?.throughput],
    },
  ],
  'gate-rush': [
    {
      ours: 'scans/s through the gateway',
      ceiling: 'scans/s at the check-in subgraph alone',
      kind: 'throughput',
      get: (d) => [rowOf(d, 'gateway')?.throughput, rowOf(d, 'subgraph')?.throughput],
    },
    {
      ours: 'scans/s through the gateway',
      ceiling: 'Redis first-scan step alone, ops/s',
      kind: 'throughput',
      get: (d) => [rowOf(d, 'gateway')?.throughput, ceilingOf(d, 'redis')?.throughput],
    },
    {
      ours: 'scan → dashboard p95',
      ceiling: 'raw Kafka produce → consume + Redis publish → deliver, p95',
      kind: 'latency',
      get: (d) => [
        rowOf(d, 'dashboard')?.latency?.dashboard?.p95,
        ceilingOf(d, 'pipeline')?.latency?.['Kafka + Redis']?.p95,
      ],
    },
  ],
  'flash-sale': [
    {
      ours: 'knee through the gateway, purchases/s',
      ceiling: 'top rate straight to the ticket subgraph, purchases/s',
      kind: 'throughput',
      get: (d) => [d?.knee?.throughput, ceilingOf(d, 'direct')?.throughput],
    },
  ],
  'price-propagation': [
    {
      ours: 'purchase → gateway read shows the new price, p95',
      ceiling: 'raw Kafka produce → consume + Redis publish → deliver, p95',
      kind: 'latency',
      get: (d) => [
        rowOf(d, 'read')?.latency?.latency?.p95,
        ceilingOf(d, 'pipeline')?.latency?.['Kafka + Redis']?.p95,
      ],
    },
    {
      ours: 'purchase → subscription update, p95',
      ceiling: 'raw Kafka produce → consume + Redis publish → deliver, p95',
      kind: 'latency',
      get: (d) => [
        rowOf(d, 'subscription')?.latency?.latency?.p95,
        ceilingOf(d, 'pipeline')?.latency?.['Kafka + Redis']?.p95,
      ],
    },
  ],
};

/** "27 %" of the ceiling, or "× 12.5" the floor; "n/a" when either side is missing. */
export function formatRatio(ours, ceiling, kind) {
  if (!isNum(ours) || !isNum(ceiling) || ceiling === 0) return 'n/a';
  const r = ours / ceiling;
  return kind === 'latency' ? `× ${fmt(r, r < 10 ? 1 : 0)}` : `${fmt(100 * r, r < 0.1 ? 1 : 0)} %`;
}

// ---------------------------------------------------------------------------------------------- targets

/** Highest peak RSS of a project service over every scenario: { mb, process, scenario } or null. */
export function worstServiceRss(medians) {
  let worst = null;
  for (const [scenario, doc] of Object.entries(medians)) {
    for (const [process, mb] of Object.entries(doc?.rssMbMax ?? {})) {
      if (!SERVICES.includes(process.split(' ')[0]) || !isNum(mb)) continue;
      if (!worst || mb > worst.mb) worst = { mb, process, scenario };
    }
  }
  return worst;
}

/**
 * Issue 16's targets (2-core machine, load generator included). `measure(medians)` returns
 * `{ value, text }` or null when the scenario did not run; `met(value)` decides.
 */
export const TARGETS = [
  {
    id: 'flash-knee',
    label: 'Flash sale: knee through the gateway ≥ 100 purchases/s, 0 oversold',
    measure: (m) => {
      const d = m['flash-sale'];
      if (!d) return null;
      const knee = d.knee?.throughput ?? 0;
      const oversold = isNum(d.checks?.oversold) ? d.checks.oversold : null;
      return {
        value: { knee, oversold },
        text: `knee ${fmt(knee, 1)} purchases/s (at ${fmt(d.knee?.rate ?? 0, 0)} buyers/s), oversold ${oversold ?? 'n/a'} (worst run)`,
      };
    },
    met: (v) => v.knee >= 100 && v.oversold === 0,
  },
  {
    id: 'gate-rate',
    label: 'Gate rush: ≥ 400 scans/s through the gateway',
    measure: (m) => {
      const row = rowOf(m['gate-rush'], 'gateway');
      if (!isNum(row?.throughput)) return null;
      // A scan answered with an error is not a scan served.
      const errors = isNum(row.errors) ? row.errors : 0;
      return {
        value: { rate: row.throughput, errors },
        text: `${fmt(row.throughput, 1)} scans/s, ${fmt(errors, 0)} errors`,
      };
    },
    met: (v) => v.rate >= 400 && v.errors === 0,
  },
  {
    id: 'gate-p99',
    label: 'Gate rush: p99 ≤ 100 ms through the gateway',
    measure: (m) => {
      const p99 = rowOf(m['gate-rush'], 'gateway')?.latency?.scan?.p99;
      return isNum(p99) ? { value: p99, text: `p99 ${fmt(p99, 1)} ms` } : null;
    },
    met: (v) => v <= 100,
  },
  {
    id: 'listing-share',
    label: "Cached listing through the gateway ≥ 50 % of the subgraph's own rate",
    measure: (m) => {
      const d = m['events-listing'];
      const g = rowOf(d, 'gateway-cached')?.throughput;
      const s = rowOf(d, 'subgraph-cached')?.throughput;
      if (!isNum(g) || !isNum(s)) return null;
      return { value: g / s, text: `${fmt((100 * g) / s, 0)} % (${fmt(g, 0)} of ${fmt(s, 0)} rps)` };
    },
    met: (v) => v >= 0.5,
  },
  {
    id: 'price-read',
    label: 'Purchase → new price visible in a gateway read: p95 ≤ 250 ms',
    measure: (m) => {
      const p95 = rowOf(m['price-propagation'], 'read')?.latency?.latency?.p95;
      return isNum(p95) ? { value: p95, text: `p95 ${fmt(p95, 0)} ms` } : null;
    },
    met: (v) => v <= 250,
  },
  {
    id: 'price-subscription',
    label: 'Purchase → new price pushed on the subscription: p95 ≤ 250 ms',
    measure: (m) => {
      const p95 = rowOf(m['price-propagation'], 'subscription')?.latency?.latency?.p95;
      return isNum(p95) ? { value: p95, text: `p95 ${fmt(p95, 0)} ms` } : null;
    },
    met: (v) => v <= 250,
  },
  {
    id: 'dashboard',
    label: 'Scan → dashboard: p95 ≤ 500 ms',
    measure: (m) => {
      const p95 = rowOf(m['gate-rush'], 'dashboard')?.latency?.dashboard?.p95;
      return isNum(p95) ? { value: p95, text: `p95 ${fmt(p95, 0)} ms` } : null;
    },
    met: (v) => v <= 500,
  },
  {
    id: 'at-rest',
    label: 'At rest with data stored: the whole stack under 5 % of one core',
    measure: (m) => {
      const a = m['at-rest']?.atRest;
      if (!isNum(a?.wholePercent)) return null;
      return {
        value: a.wholePercent,
        text: `${fmt(a.wholePercent, 1)} % (services + database ${fmt(a.stackPercent, 1)} %, the rest Kafka and Redis)`,
      };
    },
    met: (v) => v < 5,
  },
  {
    id: 'rss',
    label: 'Each service under 300 MB RSS',
    measure: (m) => {
      const w = worstServiceRss(m);
      return w
        ? { value: w.mb, text: `highest ${fmt(w.mb, 0)} MB (${w.process}, ${w.scenario}; max over runs)` }
        : null;
    },
    met: (v) => v < 300,
  },
];

/** Each target with its measured text and status: 'met', 'missed' or 'not measured'. */
export function evaluateTargets(medians) {
  return TARGETS.map((t) => {
    const measured = t.measure(medians);
    const status = !measured ? 'not measured' : t.met(measured.value) ? 'met' : 'missed';
    return { id: t.id, label: t.label, measured: measured?.text ?? '—', status };
  });
}

// ---------------------------------------------------------------------------------------------- history

/** The summary block of a report (between its markers, markers excluded), or null. */
export function summaryBlock(report) {
  const a = report?.indexOf(SUMMARY_BEGIN) ?? -1;
  const b = report?.indexOf(SUMMARY_END) ?? -1;
  return a === -1 || b < a ? null : report.slice(a + SUMMARY_BEGIN.length, b).trim();
}

function historyBlock(report) {
  const a = report?.indexOf(HISTORY_BEGIN) ?? -1;
  const b = report?.indexOf(HISTORY_END) ?? -1;
  return a === -1 || b < a ? '' : report.slice(a + HISTORY_BEGIN.length, b).trim();
}

/**
 * The history of the next report: the previous report's summary (its "## Summary: <date> …" heading made a
 * "### <date> …" entry) on top of the previous history. Nothing is ever dropped.
 */
export function carryHistory(previousReport) {
  const older = historyBlock(previousReport);
  const summary = summaryBlock(previousReport);
  if (!summary) return older;
  const entry = summary.replace(/^## Summary:\s*/m, '### ');
  return older ? `${entry}\n\n${older}` : entry;
}

/** The "why" cells a person filled in in the previous summary, by target label. */
export function previousWhys(previousReport) {
  const summary = summaryBlock(previousReport);
  const date = summary?.match(/^## Summary:\s*([^,\n]+)/m)?.[1]?.trim();
  const whys = new Map();
  for (const line of (summary ?? '').split('\n')) {
    if (!line.startsWith('| ')) continue;
    const cells = line
      .slice(2, -2)
      .split(' | ')
      .map((c) => c.trim());
    if (cells.length < 4 || cells[2] !== '**missed**') continue;
    const why = cells.slice(3).join(' | ').replace(/\\\|/g, '|');
    if (!why || why === '—' || why.includes('WHY: to fill in')) continue;
    // Dated once, when first carried: the date says which run's figures the text explains.
    const dated = /_\(written for the .* run\)_$/.test(why);
    whys.set(cells[0], dated ? why : `${why} _(written for the ${date ?? 'previous'} run)_`);
  }
  return whys;
}

// ---------------------------------------------------------------------------------------------- rendering

export function fmt(v, digits = 1) {
  return isNum(v) ? v.toFixed(digits) : 'n/a';
}

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');
const latencyCell = (l) => (l ? `${fmt(l.p50)} / ${fmt(l.p95)} / ${fmt(l.p99)}` : '—');
const loadText = (l) => (l ? l.map((v) => v.toFixed(1)).join(' ') : 'n/a');

function table(header, rows, align) {
  return [
    `| ${header.map(cell).join(' | ')} |`,
    `|${header.map((_, i) => (align?.[i] === 'l' ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

function figuresTable(doc) {
  // A row with CPU figures only (price-propagation's measuring window) belongs to the CPU table alone.
  const rows = (doc.rows ?? []).filter(
    (r) => isNum(r.throughput) || r.latency || isNum(r.count) || r.values || isNum(r.errors),
  );
  if (rows.length === 0) return '';
  const latencyNames = [...new Set(rows.flatMap((r) => Object.keys(r.latency ?? {})))];
  const valueNames = [...new Set(rows.flatMap((r) => Object.keys(r.values ?? {})))];
  const hasThroughput = rows.some((r) => isNum(r.throughput));
  const header = [
    '',
    ...(hasThroughput ? [`${doc.unit ?? 'operations'}/s`] : []),
    ...latencyNames.map((n) => `${n} p50 / p95 / p99 (ms)`),
    'count',
    'errors',
    ...valueNames,
  ];
  const body = rows.map((r) => [
    r.label ?? r.key,
    ...(hasThroughput ? [isNum(r.throughput) ? fmt(r.throughput) : '—'] : []),
    ...latencyNames.map((n) => latencyCell(r.latency?.[n])),
    isNum(r.count) ? fmt(r.count, 0) : '—',
    isNum(r.errors) ? fmt(r.errors, 0) : '—',
    ...valueNames.map((n) =>
      isNum(r.values?.[n]) ? fmt(r.values[n], Number.isInteger(r.values[n]) ? 0 : 1) : '—',
    ),
  ]);
  return table(header, body, ['l']);
}

function cpuTable(doc) {
  const rows = [...(doc.rows ?? []), ...(doc.ceilings ?? [])].filter((r) => r.cpuMsPerOp);
  if (rows.length === 0) return '';
  const processes = [...new Set(rows.flatMap((r) => Object.keys(r.cpuMsPerOp)))];
  const unit = (doc.unit ?? 'operation').replace(/s$/, '');
  return `CPU ms per ${unit}, per process (median of the runs; "(shared)" servers also serve whatever else runs on the machine):

${table(
  ['', ...processes],
  rows.map((r) => [r.label ?? r.key, ...processes.map((p) => fmt(r.cpuMsPerOp[p], 2))]),
  ['l'],
)}`;
}

function ceilingTable(id, doc) {
  const ceilings = doc.ceilings ?? [];
  if (ceilings.length === 0 && !RATIOS[id]) return '';
  const lines = ceilings.map((c) => {
    const figures = [
      ...(isNum(c.throughput) ? [`${fmt(c.throughput, 0)}/s`] : []),
      ...Object.entries(c.latency ?? {}).map(([n, l]) => `${n} ${latencyCell(l)} ms`),
    ];
    return [c.label ?? c.key, figures.join('; ') || 'n/a'];
  });
  const ratios = (RATIOS[id] ?? []).map((r) => {
    const [ours, ceiling] = r.get(doc);
    const unit = r.kind === 'latency' ? ' ms' : '';
    return [
      r.ours,
      `${fmt(ours)}${unit}`,
      r.ceiling,
      `${fmt(ceiling)}${unit}`,
      formatRatio(ours, ceiling, r.kind),
    ];
  });
  return `Ceilings measured in the same run (medians):

${table(['ceiling', 'figures'], lines, ['l', 'l'])}

Our figure as a ratio to its ceiling (throughput: share of the ceiling; latency: times the floor):

${table(['our figure', '', 'ceiling', '', 'ratio'], ratios, ['l', 'r', 'l', 'r', 'r'])}`;
}

function atRestTable(doc) {
  const a = doc.atRest;
  if (!a) return '';
  const data = doc.data ?? {};
  const count = (n) => (isNum(n) ? n.toLocaleString('en-US') : 'n/a');
  return `${fmt(a.seconds, 0)} s with nobody asking anything, after the services settled, with ${count(data.users)} users, ${count(
    data.events,
  )} events and ${count(data.purchases)} purchases stored (medians of the runs):

${table(
  ['process', '% of one core'],
  [
    ...Object.entries(a.cpuPercent ?? {}).map(([name, pct]) => [name, `${fmt(pct, 2)} %`]),
    ['**services + database** (without the shared Kafka and Redis)', `**${fmt(a.stackPercent, 2)} %**`],
    ['**whole stack**', `**${fmt(a.wholePercent, 2)} %**`],
  ],
  ['l'],
)}

Rows PostgreSQL read per second: ${fmt(a.rowsReadPerSecond, 1)}; full scans of collections holding 1,000 documents or more: ${fmt(
    a.fullScans,
    0,
  )}.`;
}

function rssTable(doc) {
  const names = Object.keys(doc.rssMb ?? {});
  if (names.length === 0) return 'Peak RSS: not measured.';
  return `Peak RSS per process, MB (median of the runs, max in brackets; PostgreSQL, several processes, is the sum of
their RSS where the scenario samples it itself and its largest process where it is read from outside the script,
shared memory counted in each):

${table(
  ['process', 'peak RSS (MB)'],
  names.map((n) => [n, `${fmt(doc.rssMb[n], 0)} (${fmt(doc.rssMbMax?.[n], 0)})`]),
  ['l'],
)}`;
}

/**
 * One scenario's section. `s`: { id, title, commands: { warmup?, measured }, runs: [{ exitCode, seconds,
 * ok, note? }], loadBefore, loadAfter, seconds, median } (median from mergeRuns, null when no run finished).
 */
export function renderScenario(s) {
  const finished = s.runs.filter((r) => r.ok).length;
  const runNotes = s.runs
    .map(
      (r, i) =>
        `run ${i + 1}: ${r.ok ? 'figures' : 'no figures'}, exit ${r.exitCode}, ${fmt(r.seconds, 0)} s${r.note ? ` (${r.note})` : ''}`,
    )
    .join('; ');
  const head = `## ${s.title}

\`${s.id}\`: ${finished} of ${s.runs.length} measured runs produced figures; each figure below is the median over them.
${runNotes}. Load average (1 / 5 / 15 min) before ${loadText(s.loadBefore)}, after ${loadText(s.loadAfter)}; ${fmt(s.seconds, 0)} s in all.

Commands (from the repository root, Node 24 first on PATH):
${s.commands.warmup ? `- warm-up, discarded: \`${s.commands.warmup}\`\n` : ''}- measured, ${s.runs.length} ×: \`${s.commands.measured}\``;
  const d = s.median;
  if (!d) return `${head}\n\nNo run produced figures: see the logs named above.\n`;
  const checks = Object.entries(d.checks ?? {});
  // A paragraph of its own: a line right under a table would be read as one more row of it.
  const knee = d.knee
    ? `Knee (highest rate whose reserve and checkout p99 ≤ 1 s, no INTERNAL_SERVER_ERROR): ${fmt(d.knee.throughput)} purchases/s (median; at ${fmt(d.knee.rate, 0)} buyers/s).`
    : '';
  return [
    head,
    figuresTable(d),
    knee,
    atRestTable(d),
    checks.length ? `Checks (worst run): ${checks.map(([k, v]) => `${k} ${fmt(v, 0)}`).join(', ')}.` : '',
    cpuTable(d),
    ceilingTable(s.id, d),
    rssTable(d),
    d.notes?.length ? d.notes.map((n) => `- ${n}`).join('\n') : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The summary (targets) block, its heading carrying the date the history will file it under. */
export function renderSummary({ date, commit, runsPerScenario, quick }, targets, whys = new Map()) {
  const rows = targets.map((t) => [
    t.label,
    t.measured,
    t.status === 'missed' ? '**missed**' : t.status,
    t.status === 'missed' ? (whys.get(t.label) ?? WHY_SLOT) : '—',
  ]);
  return `## Summary: ${date}, commit ${commit}, ${quick ? 'QUICK smoke run (1 short run each)' : `median of ${runsPerScenario} runs`}

${table(['target', 'measured', 'status', 'why missed / what would reach it'], rows, ['l', 'l', 'l', 'l'])}`;
}

/**
 * The whole bench/REPORT.md. `meta`: { date, commit, node, machine, command, quick, runsPerScenario,
 * seconds, rawDir, method }; `scenarios`: as renderScenario takes them; `previousReport`: the file's text
 * before this run (or '').
 */
export function renderReport(meta, scenarios, previousReport = '') {
  const medians = Object.fromEntries(scenarios.map((s) => [s.id, s.median]));
  const targets = evaluateTargets(medians);
  const history = carryHistory(previousReport);
  return `# Benchmarks: every scenario in one go (\`make bench\`)

Written by \`bench/run-all.mjs\`; do not edit by hand except the "why" cells of the summary (they are carried
to the next report while the target stays missed). The analyses live in each scenario's own REPORT.md.${
    meta.quick
      ? '\n\n**QUICK SMOKE RUN: one short run per scenario, no warm-up. Not figures to compare.**'
      : ''
  }

${SUMMARY_BEGIN}
${renderSummary(meta, targets, previousWhys(previousReport))}
${SUMMARY_END}

## How this was measured

- Date: ${meta.date}; ${fmt(meta.seconds / 60, 1)} min in all.
- Machine: ${meta.machine}.
- Node ${meta.node}; commit ${meta.commit}.
- Command: \`${meta.command}\`.
- ${meta.method}
- Raw figures of every run (JSON) and their logs: \`${meta.rawDir}\` (not committed).

${scenarios.map(renderScenario).join('\n\n')}

## History

Earlier summaries, newest first (moved here by each run, never deleted).

${HISTORY_BEGIN}
${history}
${HISTORY_END}
`;
}
