import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { InjectConfig } from '../config/config.constants';
import { LiveChannelHub } from './live-channel';
import { RedisService, type RedisConfig } from './redis.service';

/**
 * The process's LiveChannelHub over a duplicate of the service's Redis connection, opened on first use.
 * `CLIENT LIST` names it `<SERVICE_NAME>:live:<pid>`.
 */
@Injectable()
export class LiveChannels extends LiveChannelHub implements OnApplicationShutdown {
  constructor(redis: RedisService, @InjectConfig() config: RedisConfig) {
    super({
      name: config.SERVICE_NAME,
      connect: () =>
        redis.client.duplicate({
          connectionName: `${config.SERVICE_NAME}:live:${process.pid}`,
          // Commands wait out a reconnect instead of failing at once (the command timeout still bounds them).
          enableOfflineQueue: true,
          lazyConnect: false,
          // The hub resubscribes every wanted channel itself on each `ready`.
          autoResubscribe: false,
        }),
    });
  }

  onApplicationShutdown(): void {
    this.close();
  }
}

/**
 * Provides `LiveChannels`; needs `RedisService` (PlatformModule with `redis: true`). Every module that
 * imports it shares the one instance, so a process keeps a single subscriber connection.
 */
@Module({ providers: [LiveChannels], exports: [LiveChannels] })
export class LiveChannelsModule {}
