// What the local stack (dev/) runs, for the benchmark reports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The MongoDB-compatible server dev/ started, read from the command line of the pid it recorded. */
export function mongoServer(repoRoot) {
  try {
    const pid = readFileSync(join(repoRoot, '.data/run/mongo.pid'), 'utf8').split('\n')[0];
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const handler = args.find((a) => a.startsWith('--handler='))?.slice('--handler='.length);
    if (handler === 'pg') return 'FerretDB 1.24 with its PostgreSQL handler (Debian postgresql, fsync off)';
    if (handler) return `FerretDB 1.24 with its ${handler} handler`;
    return args[0].endsWith('mongod') ? 'mongod' : 'unknown';
  } catch {
    return 'not started by dev/ (MONGO_URL or another server)';
  }
}
