import type { ServiceAppOptions } from '@ticketing/platform';
import { GATEWAY_SERVICE_NAME, type GatewayConfig } from './config';

/** Nest options of the gateway: CORS only for the configured origins, with credentials (session cookies). */
export function gatewayAppOptions(config: GatewayConfig, handleSignals = true): ServiceAppOptions {
  return {
    serviceName: GATEWAY_SERVICE_NAME,
    handleSignals,
    nest: {
      cors: {
        origin: config.CORS_ORIGINS,
        credentials: true,
        methods: ['GET', 'POST', 'OPTIONS'],
        allowedHeaders: [
          'content-type',
          'authorization',
          'apollo-require-preflight',
          'x-apollo-operation-name',
          'x-trace-id',
          // The light shedding lane (the waiting room's join and status reads).
          'x-shed-lane',
        ],
        exposedHeaders: ['x-trace-id', 'retry-after'],
        maxAge: 600,
      },
    },
  };
}
