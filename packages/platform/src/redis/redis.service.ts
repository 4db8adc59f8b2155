import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';
import type { BaseConfig } from '../config/base-config.schema';
import { InjectConfig } from '../config/config.constants';
import { HealthRegistry } from '../health/health-registry';
import { getLogger } from '../logging/logger';
import {
  REDIS_BOOT_WAIT_MS,
  REDIS_COMMAND_TIMEOUT_MS,
  REDIS_CONNECT_TIMEOUT_MS,
  REDIS_MAX_RETRIES_PER_REQUEST,
  redisReconnectDelay,
} from './redis.constants';

export type RedisConfig = Pick<BaseConfig, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'SERVICE_NAME'>;

/** Creates an ioredis client tuned to fail fast while Redis is unreachable and reconnect with capped backoff. */
export function createRedisClient(url: string, connectionName?: string): Redis {
  return new Redis(url, {
    connectionName,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: REDIS_MAX_RETRIES_PER_REQUEST,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: redisReconnectDelay,
  });
}

/**
 * The service's Redis connection. Redis is a cache and a fast gate, never the only copy of anything:
 * the service boots and keeps serving (readiness reports it) while Redis is down, and calls made
 * meanwhile reject at once instead of piling up.
 */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;
  private readonly prefix: string;
  private readonly log = getLogger('redis');
  private lastError?: string;

  constructor(
    @InjectConfig() config: RedisConfig,
    private readonly health: HealthRegistry,
  ) {
    this.prefix = config.REDIS_KEY_PREFIX;
    this.client = createRedisClient(config.REDIS_URL, config.SERVICE_NAME);
    this.client.on('error', (error: Error) => {
      // ioredis emits an error per failed reconnect; log each distinct message once.
      if (error.message !== this.lastError) this.log.warn({ err: error }, 'redis connection error');
      this.lastError = error.message;
    });
    this.client.on('ready', () => {
      if (this.lastError) this.log.info('redis connection restored');
      this.lastError = undefined;
    });
  }

  /** Builds a key under `REDIS_KEY_PREFIX`: `key('event', id)` → `<prefix>event:<id>`. */
  key(...parts: Array<string | number>): string {
    return this.prefix + parts.join(':');
  }

  /** Resolves when Redis answers PING; the readiness check. */
  async ping(): Promise<void> {
    const answer = await this.client.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer: ${answer}`);
  }

  async onModuleInit(): Promise<void> {
    this.health.register('redis', () => this.ping());
    const connecting = this.client.connect().catch(() => undefined);
    const ready = await Promise.race([
      connecting.then(() => this.client.status === 'ready'),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), REDIS_BOOT_WAIT_MS).unref()),
    ]);
    if (!ready)
      this.log.warn('redis not reachable at start-up; continuing, readiness reports it until it answers');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client.status === 'end') return;
    try {
      if (this.client.status === 'ready') {
        await Promise.race([this.client.quit(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      }
    } catch {
      // fall through to a hard disconnect
    } finally {
      this.client.disconnect(false);
    }
  }
}
