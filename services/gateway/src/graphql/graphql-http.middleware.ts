import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GatewayServer } from './gateway-server.service';

/** The methods `/graphql` serves over HTTP (OPTIONS preflights are answered by CORS before this). */
const SERVED_METHODS = new Set(['GET', 'POST']);
export const ALLOWED_METHODS = 'GET, POST';

/**
 * Hands every `/graphql` HTTP request to the gateway server (no Nest controller in between). Any other method
 * (PUT, PATCH, DELETE...) is answered 405 with `Allow: GET, POST` and a GraphQL error, whatever its headers say:
 * Apollo would refuse a DELETE without a content type as a potential CSRF (400) instead.
 */
@Injectable()
export class GraphqlHttpMiddleware implements NestMiddleware {
  constructor(private readonly gateway: GatewayServer) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const method = req.method.toUpperCase();
    if (!SERVED_METHODS.has(method) && method !== 'OPTIONS') {
      res
        .status(405)
        .setHeader('Allow', ALLOWED_METHODS)
        .json({
          errors: [
            {
              message: `${method} is not served on /graphql: send GraphQL requests with GET or POST.`,
              extensions: { code: 'BAD_REQUEST', field: null },
            },
          ],
        });
      return;
    }
    this.gateway.handle(req, res).catch(next);
  }
}
