import { Global, Module, Optional, type DynamicModule } from '@nestjs/common';
import { PLATFORM_CONFIG } from '../config';
import { HealthRegistry } from '../health';
import { KafkaService } from './kafka.service';
import {
  KAFKA_OPTIONS,
  kafkaOptionsFromConfig,
  type KafkaConfigFields,
  type KafkaOptions,
} from './kafka.options';
import { OutboxRelay } from './outbox/outbox.relay';

/**
 * `KafkaModule.forRoot()` — global; provides `KafkaService` and `OutboxRelay` from `PLATFORM_CONFIG` and
 * registers the `kafka` readiness check. `overrides` replace config-derived settings (tests, tools).
 */
@Global()
@Module({})
export class KafkaModule {
  constructor(kafka: KafkaService, @Optional() health?: HealthRegistry) {
    health?.register('kafka', () => kafka.ping());
  }

  static forRoot(overrides: Partial<KafkaOptions> = {}): DynamicModule {
    return {
      module: KafkaModule,
      global: true,
      providers: [
        {
          provide: KAFKA_OPTIONS,
          inject: [PLATFORM_CONFIG],
          useFactory: (config: KafkaConfigFields): KafkaOptions => kafkaOptionsFromConfig(config, overrides),
        },
        KafkaService,
        OutboxRelay,
      ],
      exports: [KAFKA_OPTIONS, KafkaService, OutboxRelay],
    };
  }
}
