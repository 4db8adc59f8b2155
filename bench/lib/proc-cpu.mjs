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
