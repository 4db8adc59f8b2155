import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import Redis from 'ioredis';
import { sleep, terminate, waitForExit } from './child-process';
import { freePort } from './free-port';
import { OutputTail } from './output-tail';
import { testEnv } from './test-env';

export interface ThrowawayRedis {
  url: string;
  port: number;
  /** Kills the server (the port stays reserved for `start`). */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

function findRedisServer(): string {
  const configured = testEnv().REDIS_SERVER_BIN;
  const candidates = configured
    ? [configured]
    : [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'].map((dir) =>
        join(dir, 'redis-server'),
      );
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error(
    'redis-server not found: run `make infra-up` (installs it) or install the redis-server package',
  );
}

async function answersPing(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 500,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * A private `redis-server` (no persistence, loopback only) on a free port, for fault tests that stop
 * and restart Redis. Never touches the shared stack's Redis.
 */
export async function startRedisServer(): Promise<ThrowawayRedis> {
  const binary = findRedisServer();
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const tail = new OutputTail(20);
    const proc = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
    proc.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
    child = proc;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) break;
      if (await answersPing(url)) return;
      await sleep(50);
    }
    await terminate(proc, 1000);
    throw new Error(`redis-server on port ${port} did not start. Last output:\n${tail}`);
  };

  const stop = async () => {
    if (!child) return;
    const proc = child;
    child = undefined;
    proc.kill('SIGKILL');
    await waitForExit(proc);
  };

  await start();
  return { url, port, start, stop };
}
