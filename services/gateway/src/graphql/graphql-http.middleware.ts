import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { GatewayServer } from './gateway-server.service';

/** Hands every `/graphql` HTTP request to the gateway server (no Nest controller in between). */
@Injectable()
export class GraphqlHttpMiddleware implements NestMiddleware {
  constructor(private readonly gateway: GatewayServer) {}

  use(req: Request, res: Response, next: NextFunction): void {
    this.gateway.handle(req, res).catch(next);
  }
}
