import { Injectable, type LoggerService, type LogLevel } from '@nestjs/common';
import type { Level } from 'pino';
import { ServiceLogger } from './logger';

const NEST_TO_PINO: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

/**
 * Nest `LoggerService` backed by pino, so Nest's own messages are JSON lines with `service` and
 * `traceId` like everything else. Also injectable for application code (`context` = 'app').
 */
@Injectable()
export class AppLogger implements LoggerService {
  private readonly logger: ServiceLogger;

  constructor(context = 'app') {
    this.logger = new ServiceLogger(context);
  }

  log(message: unknown, ...optional: unknown[]): void {
    this.write('log', message, optional);
  }
  error(message: unknown, ...optional: unknown[]): void {
    this.write('error', message, optional);
  }
  warn(message: unknown, ...optional: unknown[]): void {
    this.write('warn', message, optional);
  }
  debug(message: unknown, ...optional: unknown[]): void {
    this.write('debug', message, optional);
  }
  verbose(message: unknown, ...optional: unknown[]): void {
    this.write('verbose', message, optional);
  }
  fatal(message: unknown, ...optional: unknown[]): void {
    this.write('fatal', message, optional);
  }

  /** Nest calls `(message, ...params, context?)`; for errors the params may start with a stack. */
  private write(nestLevel: LogLevel, message: unknown, optional: unknown[]): void {
    const params = [...optional];
    const fields: Record<string, unknown> = {};
    if (params.length > 0 && typeof params[params.length - 1] === 'string') {
      fields.nestContext = params.pop();
    }
    if (nestLevel === 'error' || nestLevel === 'fatal') {
      const stack = params.find((p): p is string => typeof p === 'string' && p.includes('\n    at '));
      if (stack) fields.stack = stack;
    }
    const level = NEST_TO_PINO[nestLevel];
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message }, message.message);
    } else if (message !== null && typeof message === 'object') {
      this.logger[level]({ ...fields, ...(message as Record<string, unknown>) });
    } else {
      this.logger[level](fields, String(message));
    }
  }
}
