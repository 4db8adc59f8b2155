import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { createTerminus, HealthCheckError } from '@godaddy/terminus';
import type { BaseConfig } from '../config/base-config.schema';
import { getLogger } from '../logging/logger';
import type { HealthRegistry } from './health-registry';

export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';
const SHUTDOWN_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export type ShutdownConfig = Pick<BaseConfig, 'SHUTDOWN_DELAY_MS' | 'SHUTDOWN_TIMEOUT_MS'>;

export interface TerminusOptions {
  /** Install SIGTERM/SIGINT handlers (graceful shutdown then exit). Default true. */
  handleSignals?: boolean;
  /** Called instead of `process.exit` (tests). */
  exit?: (code: number) => void;
}

/** Handle returned by `installTerminus`; `dispose()` removes the signal handlers again. */
export interface TerminusHandle {
  readonly shuttingDown: boolean;
  dispose(): void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Puts @godaddy/terminus on the Nest HTTP server:
 * - `/healthz` (liveness): 200 while the process runs, whatever the dependencies do;
 * - `/readyz` (readiness): runs the HealthRegistry, 503 with `{ status, error: { <check>: {...} } }`
 *   naming the failing checks; 503 at once when shutdown starts;
 * - on SIGTERM/SIGINT: readiness goes 503, wait `SHUTDOWN_DELAY_MS`, stop accepting and drain HTTP,
 *   close the Nest app (module destroy/shutdown hooks: Kafka consumers commit and disconnect, Mongo and
 *   Redis close), exit 0. A hard timer exits 1 when the whole shutdown exceeds `SHUTDOWN_TIMEOUT_MS`.
 * Both paths are answered before Express, so no guard, GraphQL or auth ever sees them.
 */
export function installTerminus(
  app: INestApplication,
  registry: HealthRegistry,
  config: ShutdownConfig,
  options: TerminusOptions = {},
): TerminusHandle {
  const log = getLogger('shutdown');
  const server = app.getHttpServer() as Server;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const handleSignals = options.handleSignals ?? true;
  let shuttingDown = false;

  const before = new Map(SHUTDOWN_SIGNALS.map((signal) => [signal, process.listeners(signal)]));

  // The drain budget leaves room for closing the app within SHUTDOWN_TIMEOUT_MS.
  const drainMs = Math.max(500, Math.floor((config.SHUTDOWN_TIMEOUT_MS - config.SHUTDOWN_DELAY_MS) / 2));

  createTerminus(server, {
    healthChecks: {
      verbatim: true,
      // Success bodies stay the fixed `{"status":"ok"}`: terminus merges returned info into one shared
      // response object, so details returned here would leak into later answers of the other path.
      [LIVENESS_PATH]: async () => undefined,
      [READINESS_PATH]: async () => {
        if (shuttingDown)
          throw new HealthCheckError('shutting down', {
            shutdown: { status: 'down', error: 'shutting down' },
          });
        const report = await registry.run();
        if (!report.ok) throw new HealthCheckError('not ready', report.checks);
      },
    },
    // Liveness must keep answering 200 during shutdown; readiness handles shutdown itself (above).
    sendFailuresDuringShutdown: false,
    signals: [...SHUTDOWN_SIGNALS],
    useExit0: true,
    timeout: drainMs,
    beforeShutdown: async () => {
      shuttingDown = true;
      const hardTimer = setTimeout(() => {
        log.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'shutdown timed out, exiting with code 1');
        exit(1);
      }, config.SHUTDOWN_TIMEOUT_MS);
      hardTimer.unref();
      log.info({ delayMs: config.SHUTDOWN_DELAY_MS, drainMs }, 'shutdown signal received, readiness now 503');
      if (config.SHUTDOWN_DELAY_MS > 0) await sleep(config.SHUTDOWN_DELAY_MS);
    },
    onSignal: async () => {
      log.info('HTTP drained, closing application');
      await app.close();
    },
    onShutdown: async () => {
      log.info('shutdown complete, exiting with code 0');
    },
    logger: (message, error) => {
      if (message === 'healthcheck failed') {
        log.debug({ causes: (error as HealthCheckError)?.causes }, 'readiness check failed');
      } else {
        log.error({ err: error }, message);
      }
    },
  });

  const added = new Map(
    SHUTDOWN_SIGNALS.map((signal) => {
      const previous = before.get(signal) ?? [];
      return [signal, process.listeners(signal).filter((listener) => !previous.includes(listener))];
    }),
  );

  const removeSignalHandlers = () => {
    for (const [signal, listeners] of added) {
      for (const listener of listeners)
        process.removeListener(signal, listener as (...args: unknown[]) => void);
    }
    added.clear();
  };
  if (!handleSignals) removeSignalHandlers();

  return {
    get shuttingDown() {
      return shuttingDown;
    },
    dispose() {
      // A signal-driven shutdown keeps its handlers (a second signal must not kill the process mid-drain).
      if (!shuttingDown) removeSignalHandlers();
    },
  };
}
