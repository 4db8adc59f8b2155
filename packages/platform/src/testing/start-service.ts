import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sleep, terminate, waitForExit } from './child-process';
import { freePort } from './free-port';
import { OutputTail } from './output-tail';

export interface StartServiceOptions {
  /** HTTP port (PORT); a free one when omitted. */
  port?: number;
  /** How long to wait for `/readyz` to answer 200. Default 30 s. */
  readyTimeoutMs?: number;
  /** Script to run, relative to `dir`. Default `dist/main.js`. */
  entry?: string;
  /** Extra node flags, e.g. ['--enable-source-maps']. */
  nodeArgs?: string[];
}

export interface RunningService {
  url: string;
  port: number;
  child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr). */
  output(): string;
  /** SIGTERM, wait for exit (SIGKILL after `graceMs`, default 20 s); resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | NodeJS.Signals>;
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/**
 * Starts a built service (`node <dir>/dist/main.js`) with `env` on top of the current environment
 * and resolves once its `/readyz` answers 200. Fails with the process's last output when it exits
 * early or is not ready in time.
 */
export async function startService(
  dir: string,
  env: Record<string, string>,
  options: StartServiceOptions = {},
): Promise<RunningService> {
  const entry = resolve(dir, options.entry ?? join('dist', 'main.js'));
  if (!existsSync(entry)) throw new Error(`startService: ${entry} does not exist (build the service first)`);
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const tail = new OutputTail(60);

  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), entry], {
    cwd: dir,
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => tail.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));

  const service: RunningService = {
    url,
    port,
    child,
    output: () => tail.toString(),
    stop: (graceMs = 20_000) => terminate(child, graceMs),
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  let exited: number | NodeJS.Signals | undefined;
  void waitForExit(child).then((how) => (exited = how));
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(`startService: ${entry} exited (${exited}) before it was ready. Last output:\n${tail}`);
    }
    if (await isReady(url)) return service;
    await sleep(200);
  }
  await service.stop(2000);
  throw new Error(
    `startService: ${entry} not ready at ${url}/readyz within ${options.readyTimeoutMs ?? 30_000}ms. Last output:\n${tail}`,
  );
}
