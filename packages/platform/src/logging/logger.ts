import pino, {
  type DestinationStream,
  type Level,
  type LevelWithSilent,
  type Logger as PinoLogger,
} from 'pino';
import { currentTraceId } from './trace-context';

export interface LoggingOptions {
  service: string;
  level?: LevelWithSilent;
  /** Where JSON lines go; stdout when omitted. Tests pass a stream to read them. */
  destination?: DestinationStream;
}

interface RootState {
  generation: number;
  service: string;
  logger: PinoLogger;
}

function createRoot(options: LoggingOptions): PinoLogger {
  const service = options.service;
  return pino(
    {
      level: options.level ?? 'info',
      base: { service, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const traceId = currentTraceId();
        return traceId ? { traceId } : {};
      },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

const state: RootState = {
  generation: 0,
  service: 'unknown',
  logger: createRoot({ service: 'unknown' }),
};

/**
 * Sets the process-wide log service name, level and destination. Called by `bootstrapService` /
 * `createServiceApp` before anything logs; loggers obtained earlier pick the change up.
 */
export function configureLogging(options: LoggingOptions): void {
  state.service = options.service;
  state.logger = createRoot(options);
  state.generation += 1;
}

/** The current root pino logger. */
export function rootLogger(): PinoLogger {
  return state.logger;
}

type LogMethod = (objOrMsg: unknown, ...args: unknown[]) => void;

/** A named logger (`context` field) that always writes through the current root logger. */
export class ServiceLogger {
  private cached?: PinoLogger;
  private generation = -1;

  constructor(
    readonly context: string,
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  /** The underlying pino child logger. */
  get pino(): PinoLogger {
    if (this.generation !== state.generation || !this.cached) {
      this.cached = state.logger.child({ context: this.context, ...this.bindings });
      this.generation = state.generation;
    }
    return this.cached;
  }

  child(bindings: Record<string, unknown>): ServiceLogger {
    return new ServiceLogger(this.context, { ...this.bindings, ...bindings });
  }

  isLevelEnabled(level: Level): boolean {
    return this.pino.isLevelEnabled(level);
  }

  readonly fatal: LogMethod = (...args) => this.write('fatal', args);
  readonly error: LogMethod = (...args) => this.write('error', args);
  readonly warn: LogMethod = (...args) => this.write('warn', args);
  readonly info: LogMethod = (...args) => this.write('info', args);
  readonly debug: LogMethod = (...args) => this.write('debug', args);
  readonly trace: LogMethod = (...args) => this.write('trace', args);

  private write(level: Level, args: unknown[]): void {
    const target = this.pino;
    (target[level] as (...a: unknown[]) => void).apply(target, args);
  }
}

/** `getLogger('OrdersService').info({ orderId }, 'order confirmed')`. */
export function getLogger(name: string): ServiceLogger {
  return new ServiceLogger(name);
}
