import { type ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { currentTraceId, getLogger, graphqlErrorFromHttpException } from '@ticketing/platform';
import type { Request, Response } from 'express';

const GRAPHQL_PATH = '/graphql';

/** The HTTP status an error carries (a Nest HttpException, or an http-errors error such as body-parser's). */
function statusOf(exception: unknown): number | undefined {
  if (exception instanceof HttpException) return exception.getStatus();
  const candidate = exception as { status?: unknown; statusCode?: unknown } | null;
  const status = candidate?.status ?? candidate?.statusCode;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
}

/** What a client is told about a request it got wrong, without a library's own words (`incorrect header check`). */
function refusalMessage(exception: unknown, req: Request): string {
  const code = (exception as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    const encoding = String(req.headers['content-encoding'] ?? 'compressed').toLowerCase();
    return `The request body is not valid ${encoding} data (Content-Encoding: ${encoding}).`;
  }
  return 'The request could not be read.';
}

/**
 * What reaches Nest's error handling for `/graphql` (an error the platform's body-error handler did not
 * recognise, such as a body that says `Content-Encoding: gzip` but is not gzip, or a failure of the gateway
 * server itself) is answered like every other answer on that path: a GraphQL error with `extensions.code`
 * (BAD_REQUEST for the client's 4xx, INTERNAL_SERVER_ERROR with the trace id otherwise, its details only in
 * the log), never Nest's `{ statusCode, message }`. Other paths keep Nest's handling.
 */
@Catch()
export class GraphqlHttpErrorFilter extends BaseExceptionFilter {
  private readonly log = getLogger('gateway');

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(exception, host);
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    if (path !== GRAPHQL_PATH || res.headersSent) return super.catch(exception, host);

    const status = statusOf(exception);
    if (status !== undefined && status >= 400 && status < 500) {
      // A Nest exception keeps the code and message the platform gives it everywhere (429 → RATE_LIMITED...).
      const error =
        exception instanceof HttpException
          ? graphqlErrorFromHttpException(exception).toJSON()
          : { message: refusalMessage(exception, req), extensions: { code: 'BAD_REQUEST', field: null } };
      res.status(status).json({ errors: [error] });
      return;
    }
    const traceId = currentTraceId();
    this.log.error({ err: exception, traceId }, 'unexpected error serving /graphql');
    res.status(500).json({
      errors: [
        {
          message: traceId ? `Internal server error (trace ${traceId})` : 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR', field: null, ...(traceId ? { traceId } : {}) },
        },
      ],
    });
  }
}
