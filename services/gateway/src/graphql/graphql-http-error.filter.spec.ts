import { HttpException, type ArgumentsHost } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { GraphqlHttpErrorFilter } from './graphql-http-error.filter';

/** Runs the filter on `exception` for a request to `/graphql`; returns what it answered. */
function answer(exception: unknown, headers: Record<string, string> = {}) {
  const out: { status?: number; body?: { errors: Array<{ message: string; extensions: unknown }> } } = {};
  const res = {
    headersSent: false,
    status(code: number) {
      out.status = code;
      return this;
    },
    json(body: typeof out.body) {
      out.body = body;
      return this;
    },
  };
  const req = { originalUrl: '/graphql?x=1', headers };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ArgumentsHost;
  new GraphqlHttpErrorFilter().catch(exception, host);
  return out;
}

describe('GraphqlHttpErrorFilter on /graphql', () => {
  it('answers a body that is not the gzip it claims as a GraphQL BAD_REQUEST, without zlib’s words', () => {
    const zlib = Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR', status: 400 });
    const out = answer(zlib, { 'content-encoding': 'gzip' });
    expect(out.status).toBe(400);
    expect(out.body?.errors).toEqual([
      {
        message: 'The request body is not valid gzip data (Content-Encoding: gzip).',
        extensions: { code: 'BAD_REQUEST', field: null },
      },
    ]);
  });

  it('keeps the platform code of a Nest exception, and hides anything unexpected', () => {
    const throttled = answer(new HttpException('Slow down', 429));
    expect(throttled.status).toBe(429);
    expect(throttled.body?.errors[0]?.extensions).toEqual({ code: 'RATE_LIMITED', field: null });
    const broken = answer(new TypeError('x is undefined at /app/secret.ts'));
    expect(broken.status).toBe(500);
    expect(broken.body?.errors[0]?.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', field: null });
    expect(JSON.stringify(broken.body)).not.toContain('secret');
  });
});
