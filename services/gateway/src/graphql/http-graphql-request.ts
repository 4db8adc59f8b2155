import { HeaderMap, type HTTPGraphQLRequest, type HTTPGraphQLResponse } from '@apollo/server';
import type { Request, Response } from 'express';

/** Express request → Apollo's transport-neutral request (the body was already parsed by the platform). */
export function toHttpGraphQLRequest(req: Request): HTTPGraphQLRequest {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const questionMark = req.originalUrl.indexOf('?');
  return {
    method: req.method.toUpperCase(),
    headers,
    search: questionMark >= 0 ? req.originalUrl.slice(questionMark) : '',
    body: req.body as unknown,
  };
}

/** Writes Apollo's answer to the express response; `Set-Cookie` values set earlier are left untouched. */
export async function writeHttpGraphQLResponse(result: HTTPGraphQLResponse, res: Response): Promise<void> {
  for (const [name, value] of result.headers) {
    if (name.toLowerCase() === 'set-cookie') res.append('Set-Cookie', value);
    else res.setHeader(name, value);
  }
  res.statusCode = result.status ?? 200;
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}
