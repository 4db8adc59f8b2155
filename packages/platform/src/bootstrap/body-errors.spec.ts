import type { NextFunction, Request, Response } from 'express';
import { describe, expect, it, vi } from 'vitest';
import { bodyErrorHandler } from './body-errors';

/** Runs the handler on `error`; returns what it answered, or that it passed the error on. */
function handle(error: unknown, headersSent = false, headers: Record<string, string> = {}) {
  const answer: { status?: number; body?: unknown } = {};
  const res = {
    headersSent,
    status(code: number) {
      answer.status = code;
      return this;
    },
    json(body: unknown) {
      answer.body = body;
      return this;
    },
  } as unknown as Response;
  const next = vi.fn() as unknown as NextFunction;
  bodyErrorHandler('5mb')(error, { headers } as unknown as Request, res, next);
  return { answer, passedOn: (next as unknown as ReturnType<typeof vi.fn>).mock.calls.length > 0 };
}

const bodyError = (type: string, status: number) => Object.assign(new Error(type), { type, status });

describe('bodyErrorHandler', () => {
  it.each([
    ['entity.too.large', 413, 'BAD_USER_INPUT', 'The request body is larger than 5mb.'],
    ['entity.parse.failed', 400, 'BAD_REQUEST', 'The request body is not valid JSON.'],
    ['charset.unsupported', 415, 'BAD_REQUEST', 'The request body has an unsupported charset.'],
    ['encoding.unsupported', 415, 'BAD_REQUEST', 'The request body has an unsupported content encoding.'],
    ['request.aborted', 400, 'BAD_REQUEST', 'The request body could not be read.'],
    ['constructor', 400, 'BAD_REQUEST', 'The request body could not be read.'],
  ])('answers %s with HTTP %i and a GraphQL error %s', (type, status, code, message) => {
    const { answer, passedOn } = handle(bodyError(type, status));
    expect(passedOn).toBe(false);
    expect(answer).toEqual({ status, body: { errors: [{ message, extensions: { code, field: null } }] } });
  });

  it('answers a body marked gzip that does not inflate (zlib Z_* error) as BAD_REQUEST, GraphQL-shaped', () => {
    const zlib = Object.assign(new Error('incorrect header check'), { code: 'Z_DATA_ERROR', status: 400 });
    const { answer, passedOn } = handle(zlib, false, { 'content-encoding': 'gzip' });
    expect(passedOn).toBe(false);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      errors: [
        {
          message: 'The request body is not valid gzip data (Content-Encoding: gzip).',
          extensions: { code: 'BAD_REQUEST', field: null },
        },
      ],
    });
    expect(JSON.stringify(answer.body)).not.toContain('incorrect header check');
  });

  it("passes on what is not a body parser's 4xx, and anything once an answer has started", () => {
    expect(handle(new Error('boom')).passedOn).toBe(true);
    expect(handle(bodyError('stream.encoding.set', 500)).passedOn).toBe(true);
    expect(handle(bodyError('entity.too.large', 413), true).passedOn).toBe(true);
  });
});
