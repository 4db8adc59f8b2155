import { readFileSync } from 'node:fs';
import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { GatewayConfig } from './config';
import { GatewayServer, SUPERGRAPH_SDL } from './graphql/gateway-server.service';
import { GraphqlHttpErrorFilter } from './graphql/graphql-http-error.filter';
import { GraphqlHttpMiddleware } from './graphql/graphql-http.middleware';
import { RateLimitMiddleware } from './rate-limit/rate-limit.middleware';
import { RateLimiterService } from './rate-limit/rate-limiter.service';
import { SubscriptionServer } from './subscriptions/subscription-server.service';

/** Reads the composed supergraph; a missing or empty file stops the boot with a clear message. */
export function readSupergraph(path: string): string {
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(
      `cannot read the supergraph at ${path} (run \`npm run compose -w @ticketing/gateway\`): ${(err as Error).message}`,
    );
  }
  if (sdl.trim() === '') throw new Error(`the supergraph at ${path} is empty`);
  return sdl;
}

/** `/graphql` over HTTP (Apollo Gateway) and WebSocket (subscription forwarding), behind the rate limit. */
@Module({})
export class GatewayModule implements NestModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      providers: [
        { provide: SUPERGRAPH_SDL, useFactory: () => readSupergraph(config.SUPERGRAPH_PATH) },
        RateLimiterService,
        GatewayServer,
        SubscriptionServer,
        // Errors that reach Nest on /graphql (a body it cannot decode...) still answer as GraphQL errors.
        { provide: APP_FILTER, useClass: GraphqlHttpErrorFilter },
      ],
      exports: [GatewayServer, SubscriptionServer],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RateLimitMiddleware, GraphqlHttpMiddleware)
      .forRoutes({ path: 'graphql', method: RequestMethod.ALL });
  }
}
