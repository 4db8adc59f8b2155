// CPU time of processes from /proc, for the benchmark reports: user + system time of a pid, and the pids of
// the shared local stack (dev/ records them under .data/run/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU milliseconds (user + system) a process has used so far; 0 when it is gone. */
export function cpuMs(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return 0;
  }
}

/** Sum of cpuMs over pids. */
export const cpuMsOf = (pids) => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);

/** The pid dev/ recorded for a shared stack process (`redis`, `kafka`, `mongo`, `postgres`), or null. */
export function stackPid(repoRoot, name) {
  try {
    const pid = Number(readFileSync(join(repoRoot, `.data/run/${name}.pid`), 'utf8').split('\n')[0]);
    return Number.isFinite(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/**
 * Snapshots CPU milliseconds per named group of pids (`{ gateway: () => [pid], ... }`, a function so that
 * groups whose pids change, like PostgreSQL backends, are listed at each snapshot) plus this process.
 */
export function cpuSnapshot(groups) {
  const out = {};
  for (const [name, pids] of Object.entries(groups)) out[name] = cpuMsOf(pids().filter(Boolean));
  const self = process.cpuUsage();
  out['load generator'] = (self.user + self.system) / 1000;
  return out;
}

/** `after - before` per group, in CPU seconds. */
export function cpuDelta(before, after) {
  return Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] - (before[k] ?? 0)) / 1000]));
}

/** A `VmRSS`/`VmHWM` line of /proc/<pid>/status in MB; 0 when the process is gone. */
function statusMb(pid, field) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${field}:`));
    return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a process now, in MB (VmRSS). */
export const rssMb = (pid) => statusMb(pid, 'VmRSS');

/** The most resident memory a process has had since it started, in MB (VmHWM, the kernel's high-water mark). */
export const peakRssMb = (pid) => statusMb(pid, 'VmHWM');

/**
 * Peak resident memory per named group of pids (as for `cpuSnapshot`), plus this process as "load generator".
 * Every `intervalMs` the VmRSS of a group's pids is summed and the maximum kept; a group of one process also
 * takes that process's VmHWM, which catches a peak between two samples (not used for the shared stack's
 * servers: their high-water mark predates the run). `peaks()` may be called while sampling or after `stop()`.
 *
 * @param {Record<string, () => (number | null | undefined)[]>} groups
 * @param {{ intervalMs?: number, highWaterMark?: string[] }} options  groups whose VmHWM counts
 */
export function rssSampler(groups, { intervalMs = 250, highWaterMark = [] } = {}) {
  const peak = {};
  const sample = () => {
    for (const [name, pids] of Object.entries(groups)) {
      const list = pids().filter(Boolean);
      let mb = list.reduce((sum, pid) => sum + rssMb(pid), 0);
      if (list.length === 1 && highWaterMark.includes(name)) mb = Math.max(mb, peakRssMb(list[0]));
      if (mb > 0) peak[name] = Math.max(peak[name] ?? 0, mb);
    }
    peak['load generator'] = Math.max(peak['load generator'] ?? 0, peakRssMb(process.pid));
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    /** Takes one last sample (call it before stopping the processes) and stops sampling. */
    stop() {
      sample();
      clearInterval(timer);
      return { ...peak };
    },
    peaks: () => ({ ...peak }),
  };
}
