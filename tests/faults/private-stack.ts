// A private Kafka, MongoDB-compatible server (FerretDB on its own PostgreSQL cluster) and Redis for the fault
// suite, started with the project's own scripts (dev/stack.sh) on free ports with their data under
// .data/faults-<id>/, so killing them never touches the shared stack everyone else uses.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@ticketing/platform/testing';

const run = promisify(execFile);

export type Server = 'kafka' | 'mongo' | 'redis';

export interface PrivateStack {
  dataDir: string;
  kafkaBrokers: string;
  mongoUrl: string;
  redisUrl: string;
  /** kill -9 of the server process (FerretDB for mongo: its PostgreSQL keeps running, like a storage volume). */
  kill9(server: Server): void;
  /** Starts a server that is not running (its data is kept). */
  start(server: Server): Promise<void>;
  /** Graceful stop of one server. */
  stop(server: Server): Promise<void>;
  /** Pid of a server's process, if it runs. */
  pidOf(server: Server): number | undefined;
  /** Stops everything, checks that no process of it is left, deletes its data. */
  down(): Promise<void>;
}

function readPid(runDir: string, name: string): number | undefined {
  const file = join(runDir, `${name}.pid`);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Pids of live processes whose command line mentions `needle` (zombies excluded). */
export function processesMentioning(needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').replace(/^.*\) /, '')[0];
      if (cmdline.includes(needle) && state !== 'Z') found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

export async function startPrivateStack(repoRoot: string, name: string): Promise<PrivateStack> {
  const dataDir = join(repoRoot, '.data', `${name}-${process.pid}-${Date.now().toString(36)}`);
  mkdirSync(dataDir, { recursive: true });
  // As root, PostgreSQL runs as `postgres`, which must reach the cluster under this folder.
  chmodSync(dataDir, 0o755);
  const [kafka, controller, mongo, redis] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DEV_DATA_DIR: dataDir,
    DEV_KAFKA_PORT: String(kafka),
    DEV_KAFKA_CONTROLLER_PORT: String(controller),
    DEV_MONGO_PORT: String(mongo),
    DEV_REDIS_PORT: String(redis),
  };
  // The private server, never an outside one.
  delete env.MONGO_URL;
  const runDir = join(dataDir, 'run');
  const script = (s: string) => join(repoRoot, 'dev', s);
  const sh = async (file: string, ...args: string[]) => {
    try {
      await run(script(file), args, { env, cwd: repoRoot, timeout: 180_000 });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${file} ${args.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    }
  };
  const pidName = (server: Server) => server;

  await sh('stack.sh', 'up').catch(async (error: unknown) => {
    await sh('stack.sh', 'down').catch(() => undefined);
    throw error;
  });

  const stack: PrivateStack = {
    dataDir,
    kafkaBrokers: `127.0.0.1:${kafka}`,
    mongoUrl: `mongodb://127.0.0.1:${mongo}`,
    redisUrl: `redis://127.0.0.1:${redis}`,
    pidOf: (server) => readPid(runDir, pidName(server)),
    kill9(server) {
      const pid = readPid(runDir, pidName(server));
      if (!pid) throw new Error(`${server} of the private stack is not running`);
      process.kill(pid, 'SIGKILL');
    },
    async start(server) {
      // On a loaded machine a restart can miss the script's readiness window; one more try, as an operator would.
      await sh(`${server}.sh`, 'start').catch(() => sh(`${server}.sh`, 'start'));
    },
    stop: (server) => sh(`${server}.sh`, 'stop'),
    async down() {
      const pids = ['kafka', 'mongo', 'postgres', 'redis'].flatMap((n) => readPid(runDir, n) ?? []);
      await sh('stack.sh', 'down');
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return !readFileSync(`/proc/${pid}/stat`, 'utf8')
            .replace(/^.*\) /, '')
            .startsWith('Z');
        } catch {
          return false;
        }
      };
      const left = [...new Set([...pids.filter(alive), ...processesMentioning(dataDir)])];
      if (left.length > 0) throw new Error(`private stack processes left behind: ${left.join(', ')}`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}
