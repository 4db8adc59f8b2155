import type { MongooseModuleOptions } from '@nestjs/mongoose';
import type { BaseConfig } from '../config/base-config.schema';

export type MongoConfig = Pick<BaseConfig, 'MONGO_URL' | 'MONGO_DB' | 'MONGO_POOL_SIZE' | 'SERVICE_NAME'>;

/** Fails server selection quickly so readiness and requests see an outage within seconds. */
export const MONGO_SERVER_SELECTION_TIMEOUT_MS = 3000;

/**
 * Connection options for the service's one mongoose connection. Boot retries a few times and then
 * fails (the orchestrator restarts the pod); once connected, the driver reconnects by itself.
 */
export function mongoOptions(config: MongoConfig): MongooseModuleOptions {
  return {
    uri: config.MONGO_URL,
    dbName: config.MONGO_DB,
    appName: config.SERVICE_NAME,
    autoIndex: true,
    autoCreate: true,
    maxPoolSize: config.MONGO_POOL_SIZE,
    minPoolSize: 0,
    serverSelectionTimeoutMS: MONGO_SERVER_SELECTION_TIMEOUT_MS,
    connectTimeoutMS: 5000,
    socketTimeoutMS: 30_000,
    heartbeatFrequencyMS: 5000,
    retryAttempts: 5,
    retryDelay: 1000,
  };
}
