import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { GatewayConfig } from '../config';
import { InjectConfig } from '@ticketing/platform';
import { RateLimiterService } from './rate-limiter.service';

/** The client address the gateway throttles on: express's `req.ip` (honours `TRUST_PROXY`), else the socket's. */
export function clientAddressOf(req: Pick<Request, 'ip' | 'socket'>): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function tooManyRequestsBody(): string {
  return JSON.stringify({
    errors: [{ message: 'Too many requests, retry later.', extensions: { code: 'RATE_LIMITED' } }],
  });
}

/** Answers 429 with `Retry-After` once a client address has spent its per-minute budget. */
@Injectable()
export class RateLimitMiddleware implements NestMiddleware {
  constructor(
    private readonly limiter: RateLimiterService,
    @InjectConfig() private readonly config: GatewayConfig,
  ) {}

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    if (!this.limiter.enabled || req.method === 'OPTIONS') return next();
    const decision = await this.limiter.hit(clientAddressOf(req));
    if (decision === 'unavailable') {
      if (this.config.RATE_LIMIT_FAIL_OPEN) return next();
      res.status(503).setHeader('Retry-After', '1').type('application/json').send(tooManyRequestsBody());
      return;
    }
    res.setHeader('RateLimit-Limit', String(decision.limit));
    res.setHeader('RateLimit-Remaining', String(decision.remaining));
    res.setHeader('RateLimit-Reset', String(Math.ceil(decision.resetMs / 1000)));
    if (decision.allowed) return next();
    res
      .status(429)
      .setHeader('Retry-After', String(decision.retryAfterSeconds))
      .type('application/json')
      .send(tooManyRequestsBody());
  }
}
