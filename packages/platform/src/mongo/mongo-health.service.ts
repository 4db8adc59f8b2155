import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { HealthRegistry } from '../health/health-registry';

/** Registers the `mongo` readiness check: the connection is open and the server answers `ping`. */
@Injectable()
export class MongoHealthService implements OnModuleInit {
  constructor(
    @InjectConnection() private readonly connection: Connection,
    private readonly health: HealthRegistry,
  ) {}

  async ping(): Promise<void> {
    const db = this.connection.db;
    if (!db || this.connection.readyState !== 1)
      throw new Error(`mongo connection not open (state ${this.connection.readyState})`);
    await db.admin().ping();
  }

  onModuleInit(): void {
    this.health.register('mongo', () => this.ping());
  }
}
