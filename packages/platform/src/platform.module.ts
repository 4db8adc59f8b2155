import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import type { BaseConfig } from './config/base-config.schema';
import { PLATFORM_CONFIG } from './config/config.constants';
import { HealthRegistry } from './health/health-registry';
import { TerminusBinding } from './health/terminus-binding.service';
import { AppLogger } from './logging/app-logger';
import { MetricsService } from './metrics/metrics.service';
import { MongoHealthService } from './mongo/mongo-health.service';
import { mongoOptions } from './mongo/mongo.options';
import { applyMongoPoolCheckInterval } from './mongo/pool-check-interval';
import { lightShedderFromConfig, loadShedderFromConfig } from './overload/overload.middleware';
import { EventFence } from './redis/event-fence';
import { RedisService } from './redis/redis.service';

export interface PlatformModuleOptions<C extends BaseConfig = BaseConfig> {
  serviceName: string;
  /** The object returned by `loadConfig(...)`. */
  config: C;
  /** Open the mongoose connection (MONGO_URL, MONGO_DB) and add the `mongo` readiness check. */
  mongo?: boolean;
  /** Provide `RedisService` (REDIS_URL, REDIS_KEY_PREFIX) and add the `redis` readiness check. */
  redis?: boolean;
  /**
   * Bound in-flight GraphQL operations with the adaptive load shedder (OVERLOAD_* variables): work that cannot
   * start soon is refused at once with TRY_AGAIN instead of queueing until the caller times out.
   */
  overload?: boolean;
}

/** DI token of the service's LoadShedder (null when not asked for or OVERLOAD_MAX_INFLIGHT=0). */
export const LOAD_SHEDDER = Symbol.for('ticketing.platform.loadShedder');
/** DI token of the light lane's LoadShedder (null without OVERLOAD_LIGHT_OPERATIONS; see lightShedderFromConfig). */
export const LIGHT_LOAD_SHEDDER = Symbol.for('ticketing.platform.lightLoadShedder');

/** DI token for the options given to `PlatformModule.forRoot`. */
export const PLATFORM_OPTIONS = Symbol.for('ticketing.platform.options');

/**
 * Global module with the infrastructure every service uses: config, logger, health registry,
 * metrics, and (when asked) the mongoose connection and Redis.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot<C extends BaseConfig>(options: PlatformModuleOptions<C>): DynamicModule {
    const providers: Provider[] = [
      { provide: PLATFORM_CONFIG, useValue: options.config },
      { provide: PLATFORM_OPTIONS, useValue: options },
      { provide: AppLogger, useFactory: () => new AppLogger('app') },
      HealthRegistry,
      MetricsService,
      TerminusBinding,
      {
        provide: LOAD_SHEDDER,
        useFactory: () => (options.overload ? loadShedderFromConfig(options.config) : null),
      },
      {
        provide: LIGHT_LOAD_SHEDDER,
        useFactory: () => (options.overload ? lightShedderFromConfig(options.config) : null),
      },
    ];
    const exported: Array<string | symbol | Provider | DynamicModule> = [
      PLATFORM_CONFIG,
      PLATFORM_OPTIONS,
      AppLogger,
      HealthRegistry,
      MetricsService,
      TerminusBinding,
      LOAD_SHEDDER,
      LIGHT_LOAD_SHEDDER,
    ];
    const imports: DynamicModule[] = [];

    if (options.mongo) {
      applyMongoPoolCheckInterval();
      const { uri, ...rest } = mongoOptions(options.config);
      imports.push(MongooseModule.forRoot(uri as string, rest));
      providers.push(MongoHealthService);
      exported.push(MongoHealthService);
    }
    if (options.redis) {
      providers.push(RedisService, EventFence);
      exported.push(RedisService, EventFence);
    }

    return { module: PlatformModule, global: true, imports, providers, exports: exported };
  }
}
