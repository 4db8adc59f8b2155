import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { AppLogger } from './app-logger';
import { configureLogging, getLogger } from './logger';
import { currentTraceId, runWithTrace, sanitizeTraceId, traceIdFromTraceparent } from './trace-context';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('logging', () => {
  afterEach(() => configureLogging({ service: 'test', level: 'silent' }));

  it('writes JSON lines with service, level, context and the current trace id', async () => {
    const log = getLogger('orders'); // obtained before configuration: must follow it
    const out = capture();
    configureLogging({ service: 'ticket', level: 'info', destination: out.stream });

    log.info({ orderId: 'o1' }, 'outside');
    await runWithTrace('trace-abc-123', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.warn('inside after an await');
    });
    log.debug('below the level');

    const [outside, inside, ...rest] = out.lines();
    expect(rest).toHaveLength(0);
    expect(outside).toMatchObject({
      service: 'ticket',
      level: 'info',
      context: 'orders',
      orderId: 'o1',
      msg: 'outside',
    });
    expect(outside.traceId).toBeUndefined();
    expect(inside).toMatchObject({ level: 'warn', traceId: 'trace-abc-123', msg: 'inside after an await' });
    expect(typeof inside.time).toBe('string');
  });

  it('adapts Nest logger calls (message, stack, context) to pino', () => {
    const out = capture();
    configureLogging({ service: 'event', level: 'trace', destination: out.stream });
    const nest = new AppLogger('nest');
    nest.log('Mapped {/graphql, POST}', 'RoutesResolver');
    nest.error('boom', 'Error: boom\n    at somewhere (file.ts:1:1)', 'ExceptionHandler');
    nest.verbose({ detail: 1 });

    const [info, error, verbose] = out.lines();
    expect(info).toMatchObject({
      level: 'info',
      msg: 'Mapped {/graphql, POST}',
      nestContext: 'RoutesResolver',
      context: 'nest',
    });
    expect(error).toMatchObject({ level: 'error', msg: 'boom', nestContext: 'ExceptionHandler' });
    expect(String(error.stack)).toContain('at somewhere');
    expect(verbose).toMatchObject({ level: 'trace', detail: 1 });
  });

  it('redacts credentials in logged headers', () => {
    const out = capture();
    configureLogging({ service: 'auth', level: 'info', destination: out.stream });
    getLogger('http').info(
      { req: { headers: { authorization: 'Bearer secret', cookie: 'at=secret' } } },
      'request',
    );
    const [line] = out.lines();
    expect(JSON.stringify(line)).not.toContain('secret');
  });
});

describe('trace ids', () => {
  it('is undefined outside a trace and nests correctly', () => {
    expect(currentTraceId()).toBeUndefined();
    runWithTrace('outer-trace', () => {
      runWithTrace('inner-trace', () => expect(currentTraceId()).toBe('inner-trace'));
      expect(currentTraceId()).toBe('outer-trace');
    });
  });

  it('accepts plain client trace ids and rejects injection attempts', () => {
    expect(sanitizeTraceId('abc-123_DEF.456')).toBe('abc-123_DEF.456');
    expect(sanitizeTraceId('short')).toBeUndefined();
    expect(sanitizeTraceId('bad\nline-injected')).toBeUndefined();
    expect(sanitizeTraceId('x'.repeat(129))).toBeUndefined();
    expect(sanitizeTraceId(['a', 'b'])).toBeUndefined();
  });

  it('reads the trace id part of a W3C traceparent', () => {
    expect(traceIdFromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(traceIdFromTraceparent('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeUndefined();
    expect(traceIdFromTraceparent('garbage')).toBeUndefined();
  });
});
