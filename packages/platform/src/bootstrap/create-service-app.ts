import { bodyErrorHandler } from './body-errors';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { DynamicModule, NestApplicationOptions, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import type { BaseConfig } from '../config/base-config.schema';
import { TerminusBinding } from '../health/terminus-binding.service';
import { AppLogger } from '../logging/app-logger';
import { configureLogging, getLogger } from '../logging/logger';
import { traceMiddleware } from '../logging/trace.middleware';
import { httpMetricsMiddleware, metricsHandler } from '../metrics/http-metrics.middleware';
import { ensureDefaultMetrics, MetricsService } from '../metrics/metrics.service';
import { loadShedMiddleware } from '../overload/overload.middleware';
import type { LoadShedder } from '../overload/load-shedder';
import { LIGHT_LOAD_SHEDDER, LOAD_SHEDDER } from '../platform.module';
import { parseTrustProxy } from './trust-proxy';

export const METRICS_PATH = '/metrics';

/** The root module: a module class, or a dynamic module (tests build those). */
export type ServiceModule = Type<unknown> | DynamicModule;

const moduleName = (appModule: ServiceModule) =>
  'module' in appModule ? appModule.module.name : appModule.name;

export interface ServiceAppOptions {
  serviceName: string;
  /** Install SIGTERM/SIGINT graceful shutdown (terminus). Default true; the handlers go when the app closes. */
  handleSignals?: boolean;
  /** Extra Nest application options (e.g. `cors` for the gateway). */
  nest?: Omit<NestApplicationOptions, 'logger' | 'bodyParser' | 'abortOnError'>;
}

/**
 * Creates the Nest app the way every service runs it, without listening: JSON logs, trace ids,
 * HTTP metrics and `/metrics`, cookie parser, body-size limit, `trust proxy`, terminus `/healthz`,
 * `/readyz` and graceful shutdown. `AppModule` must import `PlatformModule.forRoot(...)`.
 * Call `app.listen(port)` (tests: port 0) or use `bootstrapService`.
 * Nest's `enableShutdownHooks` is deliberately not used: terminus owns the signals.
 */
export async function createServiceApp(
  appModule: ServiceModule,
  config: BaseConfig,
  options: ServiceAppOptions,
): Promise<NestExpressApplication> {
  configureLogging({ service: options.serviceName, level: config.LOG_LEVEL });
  ensureDefaultMetrics();
  if (config.NODE_ENV === 'production' && !config.COOKIE_SECURE) {
    // Only reachable with ALLOW_INSECURE_COOKIES=true (the config refuses it otherwise): say so at every start.
    getLogger('config').warn(
      'COOKIE_SECURE=false in production (ALLOW_INSECURE_COOKIES=true): session cookies travel without Secure',
    );
  }

  const app = await NestFactory.create<NestExpressApplication>(appModule, {
    ...options.nest,
    logger: new AppLogger('nest'),
    bodyParser: false,
    abortOnError: false,
  });

  let metrics: MetricsService;
  let terminus: TerminusBinding;
  try {
    metrics = app.get(MetricsService);
    terminus = app.get(TerminusBinding);
  } catch {
    await app.close();
    throw new Error(
      `${moduleName(appModule)} must import PlatformModule.forRoot(...) to be started by the platform`,
    );
  }

  app.disable('x-powered-by');
  app.set('trust proxy', parseTrustProxy(config.TRUST_PROXY));
  app.use(traceMiddleware());
  app.use(httpMetricsMiddleware(metrics));
  app.use(METRICS_PATH, metricsHandler(metrics));
  app.use(cookieParser());
  // Before the body is parsed: a refused operation costs no parsing (health and metrics are other paths).
  const shedder = app.get<LoadShedder | null>(LOAD_SHEDDER, { strict: false });
  const light = app.get<LoadShedder | null>(LIGHT_LOAD_SHEDDER, { strict: false });
  if (shedder) app.use('/graphql', loadShedMiddleware(shedder, options.serviceName, metrics, light));
  app.useBodyParser('json', { limit: config.BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: config.BODY_LIMIT, extended: false });
  app.use(bodyErrorHandler(config.BODY_LIMIT));

  terminus.install(app, { handleSignals: options.handleSignals ?? true });
  return app;
}

/** The address a listening app can be reached at, e.g. `http://127.0.0.1:4003`. */
export function appUrl(app: NestExpressApplication): string {
  const address = (app.getHttpServer() as Server).address() as AddressInfo | null;
  if (!address) throw new Error('application is not listening');
  const host = address.address === '::' || address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * `main.ts` of every service: creates the app, listens on `config.PORT` and logs the URL.
 * A failure to start is logged and ends the process with code 1.
 */
export async function bootstrapService(
  appModule: ServiceModule,
  config: BaseConfig,
  options: ServiceAppOptions,
): Promise<NestExpressApplication> {
  const log = getLogger('bootstrap');
  // Crashes keep Node's default behaviour (exit), but leave a JSON line with the trace id first.
  process.on('uncaughtExceptionMonitor', (error, origin) =>
    log.fatal({ err: error, origin }, 'uncaught exception'),
  );
  try {
    const app = await createServiceApp(appModule, config, options);
    // Node's listen options (Nest passes them on to the HTTP server as they are): the port and the backlog.
    await app.listen({ port: config.PORT, backlog: config.LISTEN_BACKLOG } as unknown as number);
    const url = appUrl(app);
    log.info({ url }, `${options.serviceName} listening on ${url}`);
    return app;
  } catch (error) {
    log.fatal({ err: error }, `${options.serviceName} failed to start`);
    process.exit(1);
  }
}
