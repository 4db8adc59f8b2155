// Watching a scenario from outside, for bench/run-all.mjs: every process descended from the scenario's script
// (the services it starts, private database servers), sampled from /proc. Gives the peak RSS per process name
// and CPU time per name between two wall-clock instants, so a script that reports only its measurement window
// (price-propagation) still gets CPU per operation and RSS per process without measuring them itself.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { cpuMs, peakRssMb } from './proc-cpu.mjs';

/** Short-lived helpers a script runs on its way (shells, PostgreSQL's setup tools): not worth a row. */
const TRANSIENT = new Set(['sh', 'bash', 'initdb', 'pg_ctl', 'setpriv', 'git']);

/** Parent pid of every live process. */
function parents() {
  const out = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      out.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone between the listing and the read
    }
  }
  return out;
}

/** `rootPid` and every descendant of it. */
export function descendants(rootPid, parentOf = parents()) {
  const children = new Map();
  for (const [pid, ppid] of parentOf) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const out = [];
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift();
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** A service by its working directory (`services/<name>`), else the executable's name. */
export function processName(pid, rootPid) {
  if (pid === rootPid) return 'load generator';
  try {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    const service = cwd.match(/\/services\/([^/]+)$/)?.[1];
    if (service) return service;
  } catch {
    // not ours to read, or gone
  }
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (comm.startsWith('ferretdb')) return 'FerretDB';
    if (comm.startsWith('postgres')) return 'PostgreSQL';
    return comm;
  } catch {
    return `pid ${pid}`;
  }
}

/**
 * Samples the tree under `rootPid` every `intervalMs`. `stop()` returns
 * `{ peakRssMb: { name: MB }, cpuMsBetween(fromMs, toMs): { name: ms } }` where a name's peak is its largest
 * single process (services are judged per process) and CPU is summed over the processes of a name.
 */
export function treeSampler(rootPid, { intervalMs = 500 } = {}) {
  const names = new Map(); // pid -> name
  const series = new Map(); // pid -> [[wall ms, cpu ms]]
  const peak = {};
  const sample = () => {
    const now = Date.now();
    for (const pid of descendants(rootPid)) {
      if (!names.has(pid)) names.set(pid, processName(pid, rootPid));
      const name = names.get(pid);
      if (TRANSIENT.has(name)) continue;
      // Every process of the tree started in this run, so its high-water mark is its peak in this run.
      const mb = peakRssMb(pid);
      if (mb > 0) peak[name] = Math.max(peak[name] ?? 0, mb);
      const cpu = cpuMs(pid);
      if (cpu > 0) series.set(pid, [...(series.get(pid) ?? []), [now, cpu]]);
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  /** A process's CPU ms at wall time t: its last sample at or before t (0 before its first). */
  const at = (points, t) => {
    let v = 0;
    for (const [when, cpu] of points) if (when <= t) v = cpu;
    return v;
  };
  return {
    stop() {
      clearInterval(timer);
      return {
        peakRssMb: { ...peak },
        cpuMsBetween(fromMs, toMs) {
          const out = {};
          for (const [pid, points] of series) {
            const name = names.get(pid);
            out[name] = (out[name] ?? 0) + Math.max(0, at(points, toMs) - at(points, fromMs));
          }
          return out;
        },
      };
    },
  };
}
