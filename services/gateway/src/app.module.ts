import { Module, type Type } from '@nestjs/common';
import { PlatformModule } from '@ticketing/platform';
import { GATEWAY_SERVICE_NAME, type GatewayConfig } from './config';
import { GatewayModule } from './gateway.module';

/**
 * The gateway's root module for a given config. The gateway owns no data: it needs Redis (rate limits) but
 * neither MongoDB nor Kafka, so its readiness is Redis + the supergraph, never a subgraph's health.
 */
export function createAppModule(config: GatewayConfig): Type<unknown> {
  @Module({
    imports: [
      // overload: the gateway bounds its own in-flight operations too (OVERLOAD_*), so when it or a subgraph
      // is saturated a client is refused at the door in milliseconds (TRY_AGAIN) instead of queueing.
      PlatformModule.forRoot({ serviceName: GATEWAY_SERVICE_NAME, config, redis: true, overload: true }),
      GatewayModule.register(config),
    ],
  })
  class AppModule {}
  return AppModule;
}
