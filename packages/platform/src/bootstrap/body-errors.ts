import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../graphql/error-codes';

interface BodyParserError {
  type?: unknown;
  status?: unknown;
  /** zlib's code (`Z_DATA_ERROR`...) when a body marked gzip/deflate does not inflate. */
  code?: unknown;
}

/** body-parser's error types → the code and message a client gets; other 4xx types get the generic one. */
const REFUSALS: Record<string, (limit: string) => [code: string, message: string]> = {
  'entity.too.large': (limit) => [ErrorCode.BAD_USER_INPUT, `The request body is larger than ${limit}.`],
  'entity.parse.failed': () => ['BAD_REQUEST', 'The request body is not valid JSON.'],
  'encoding.unsupported': () => ['BAD_REQUEST', 'The request body has an unsupported content encoding.'],
  'charset.unsupported': () => ['BAD_REQUEST', 'The request body has an unsupported charset.'],
};

/**
 * Express error handler for the body parsers: a body that is too large, not JSON, or in an encoding or charset
 * the parser refuses is answered like every other refusal, as a GraphQL error (`extensions.code`, `field`
 * null since no field was read), with the parser's HTTP status. Anything else goes on to Nest's handler.
 */
export function bodyErrorHandler(limit: string) {
  return (error: unknown, req: Request, res: Response, next: NextFunction): void => {
    const err = (error ?? {}) as BodyParserError;
    const status = typeof err.status === 'number' ? err.status : 0;
    if (typeof err.code === 'string' && err.code.startsWith('Z_') && status >= 400 && status < 500) {
      if (res.headersSent) return next(error);
      res.status(400).json({
        errors: [
          {
            message: `The request body is not valid ${encodingOf(req)} data (Content-Encoding: ${encodingOf(req)}).`,
            extensions: { code: 'BAD_REQUEST', field: null },
          },
        ],
      });
      return;
    }
    if (typeof err.type !== 'string' || status < 400 || status >= 500 || res.headersSent) {
      next(error);
      return;
    }
    const [code, message] = Object.hasOwn(REFUSALS, err.type)
      ? REFUSALS[err.type]!(limit)
      : ['BAD_REQUEST', 'The request body could not be read.'];
    res.status(status).json({ errors: [{ message, extensions: { code, field: null } }] });
  };
}

/** The body's declared encoding, when it is one the parsers know (never the client's text echoed as is). */
function encodingOf(req: Request): string {
  const declared = String(req.headers?.['content-encoding'] ?? '')
    .trim()
    .toLowerCase();
  return ['gzip', 'deflate', 'br'].includes(declared) ? declared : 'compressed';
}
