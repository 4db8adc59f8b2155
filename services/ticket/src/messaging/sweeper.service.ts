import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { getLogger, InjectConfig } from '@ticketing/platform';
import type { TicketConfig } from '../config';
import { OrdersService } from '../orders/orders.service';
import { ReservationsService } from '../reservations/reservations.service';

/**
 * The explicit sweeper (no TTL indexes): every SWEEP_INTERVAL_MS it expires due holds, finishes
 * interrupted give-backs and reservations, and recovers paid orders. Runs on every replica; each step is a
 * guarded single-document update, so replicas racing each other do every piece of work once.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('sweeper');
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @InjectConfig() private readonly config: TicketConfig,
    private readonly reservations: ReservationsService,
    private readonly orders: OrdersService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.SWEEPER_ENABLED) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.sweepOnce().finally(() => (this.running = undefined));
    }, this.config.SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** One full sweep; errors are logged, never thrown (the next tick retries). */
  async sweepOnce(now = new Date()): Promise<{ expired: number; recovered: number }> {
    let expired = 0;
    let recovered = 0;
    try {
      expired = await this.reservations.sweep(now);
      recovered = await this.orders.recover(now);
      if (expired > 0 || recovered > 0) this.log.info({ expired, recovered }, 'sweep');
    } catch (error) {
      this.log.warn({ err: error }, 'sweep failed; will retry');
    }
    return { expired, recovered };
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
