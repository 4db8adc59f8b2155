import { Injectable, type INestApplication, type OnApplicationShutdown } from '@nestjs/common';
import type { BaseConfig } from '../config/base-config.schema';
import { InjectConfig } from '../config/config.constants';
import { HealthRegistry } from './health-registry';
import { installTerminus, type TerminusHandle, type TerminusOptions } from './terminus';

/** Owns the terminus installation of one app, and removes its signal handlers when the app closes. */
@Injectable()
export class TerminusBinding implements OnApplicationShutdown {
  private handle?: TerminusHandle;

  constructor(
    private readonly registry: HealthRegistry,
    @InjectConfig() private readonly config: BaseConfig,
  ) {}

  install(app: INestApplication, options: TerminusOptions = {}): TerminusHandle {
    if (this.handle) throw new Error('terminus is already installed on this application');
    this.handle = installTerminus(app, this.registry, this.config, options);
    return this.handle;
  }

  get shuttingDown(): boolean {
    return this.handle?.shuttingDown ?? false;
  }

  onApplicationShutdown(): void {
    this.handle?.dispose();
  }
}
