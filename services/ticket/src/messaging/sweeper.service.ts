import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { getLogger, InjectConfig, PeriodicTask } from '@ticketing/platform';
import type { TicketConfig } from '../config';
import { OrdersService } from '../orders/orders.service';
import { ReservationsService } from '../reservations/reservations.service';
import { TransfersService } from '../transfers/transfers.service';

/** How often the sweeper ends transfer offers whose deadline passed (at most; it also waits for a sweep). */
const DEADLINE_PASS_EVERY_MS = 60_000;

/**
 * The explicit sweeper (no TTL indexes): expires due holds, finishes interrupted give-backs and
 * reservations, recovers paid orders, finishes interrupted refunds and transfer accepts, and (once a minute) ends transfer offers past their deadline. It runs every SWEEP_INTERVAL_MS while it finds work or a hold is
 * about to expire, backs off to SWEEP_IDLE_MAX_MS when nothing is due, and wakes when the earliest hold
 * expires. Every query it makes is an indexed equality over a small set (see `ReservationsService.sweepDue`
 * and `OrdersService.recover`). Runs on every replica; each step is a guarded single-document update, so
 * replicas racing each other do every piece of work once.
 */
@Injectable()
export class SweeperService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('sweeper');
  private readonly task: PeriodicTask;
  /** When the last pass over pending transfer offers ran (deadlines are minutes apart, not milliseconds). */
  private deadlinePassAt = 0;

  constructor(
    @InjectConfig() private readonly config: TicketConfig,
    private readonly reservations: ReservationsService,
    private readonly orders: OrdersService,
    private readonly transfers: TransfersService,
  ) {
    this.task = new PeriodicTask({
      name: 'ticket-sweeper',
      minIntervalMs: config.SWEEP_INTERVAL_MS,
      maxIdleMs: Math.max(config.SWEEP_INTERVAL_MS, config.SWEEP_IDLE_MAX_MS),
      run: async (now) => {
        const held = await this.reservations.sweepDue(now);
        if (held.expired > 0) this.log.info({ expired: held.expired }, 'expired holds');
        const { recovered, refunded, accepted } = await this.recover(now);
        return { worked: held.worked + recovered + refunded + accepted, nextDueAt: held.nextExpiry };
      },
    });
    reservations.onHoldCreated = (expiresAt) => this.task.dueAt(expiresAt);
  }

  onApplicationBootstrap(): void {
    if (this.config.SWEEPER_ENABLED) this.task.start();
  }

  /** One full sweep; errors are logged, never thrown (the next run retries). */
  async sweepOnce(now = new Date()): Promise<{ expired: number; recovered: number }> {
    let expired = 0;
    let recovered = 0;
    try {
      expired = (await this.reservations.sweepDue(now)).expired;
      if (expired > 0) this.log.info({ expired }, 'expired holds');
      recovered = (await this.recover(now)).recovered;
    } catch (error) {
      this.log.warn({ err: error }, 'sweep failed; will retry');
    }
    return { expired, recovered };
  }

  /** Orders, refunds and transfer accepts left half-done (each found by an indexed `status` equality). */
  private async recover(now: Date): Promise<{ recovered: number; refunded: number; accepted: number }> {
    const recovered = await this.orders.recover(now);
    const refunded = await this.orders.finishDueRefunds(now);
    const accepted = await this.transfers.finishDueAccepts(now);
    const released = await this.transfers.finishDueReleases(now);
    if (released > 0) this.log.info({ released }, 'freed the tickets of ended transfer offers');
    if (now.getTime() - this.deadlinePassAt >= DEADLINE_PASS_EVERY_MS) {
      this.deadlinePassAt = now.getTime();
      const ended = await this.transfers.endPastDeadline(now);
      if (ended > 0) this.log.info({ ended }, 'ended transfer offers past their deadline');
    }
    if (recovered + refunded + accepted > 0) this.log.info({ recovered, refunded, accepted }, 'recovered');
    return { recovered, refunded, accepted };
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.task.stop();
  }
}
