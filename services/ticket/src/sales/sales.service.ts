import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { getLogger, RedisService } from '@ticketing/platform';
import type Redis from 'ioredis';
import { EventEmitter } from 'node:events';
import { CatalogService } from '../catalog/catalog.service';
import { AvailabilityService } from '../inventory/availability.service';
import { InventoryService } from '../inventory/inventory.service';
import type { SalesSummary } from './models/sales-summary.model';

/** Coalesces bursts of changes into one update per subscriber at most this often. */
const UPDATE_EVERY_MS = 250;

@Injectable()
export class SalesService implements OnApplicationShutdown {
  private readonly log = getLogger('sales');
  private subscriber?: Redis;
  private readonly bus = new EventEmitter().setMaxListeners(0);
  private readonly channels = new Map<string, number>();

  constructor(
    private readonly inventory: InventoryService,
    private readonly catalog: CatalogService,
    private readonly availability: AvailabilityService,
    private readonly redis: RedisService,
  ) {}

  async summary(eventId: string): Promise<SalesSummary> {
    const [docs, types] = await Promise.all([
      this.inventory.findByEvent(eventId),
      this.catalog.findTicketTypes(eventId),
    ]);
    const names = new Map(types.map((t) => [t._id, t.name]));
    return {
      eventId,
      at: new Date(),
      ticketTypes: docs.map((doc) => ({
        ticketTypeId: doc._id,
        name: names.get(doc._id) ?? doc._id,
        capacity: doc.capacity,
        sold: doc.sold,
        held: doc.held,
        remaining: doc.available,
        revenue: { amount: doc.revenue, currency: doc.currency },
      })),
    };
  }

  /**
   * Live summaries of an event: one at once, then one after each burst of changes any replica announced
   * on the event's Redis channel. Ends when the client unsubscribes.
   */
  async *updates(eventId: string): AsyncGenerator<{ salesUpdated: SalesSummary }> {
    const channel = this.availability.salesChannel(eventId);
    let dirty = true;
    let wake: (() => void) | undefined;
    const onMessage = () => {
      dirty = true;
      wake?.();
    };
    this.bus.on(channel, onMessage);
    try {
      await this.listen(channel);
      for (;;) {
        if (!dirty) await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        dirty = false;
        yield { salesUpdated: await this.summary(eventId) };
        await new Promise((resolve) => setTimeout(resolve, UPDATE_EVERY_MS));
      }
    } finally {
      this.bus.off(channel, onMessage);
      await this.unlisten(channel);
    }
  }

  private async listen(channel: string): Promise<void> {
    const count = this.channels.get(channel) ?? 0;
    this.channels.set(channel, count + 1);
    if (count > 0) return;
    if (!this.subscriber) {
      const subscriber = this.redis.client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      subscriber.on('error', (error: Error) => this.log.debug({ err: error }, 'sales subscriber error'));
      subscriber.on('message', (name: string) => this.bus.emit(name));
      this.subscriber = subscriber;
    }
    await this.subscriber.subscribe(channel);
  }

  private async unlisten(channel: string): Promise<void> {
    const count = (this.channels.get(channel) ?? 1) - 1;
    if (count > 0) {
      this.channels.set(channel, count);
      return;
    }
    this.channels.delete(channel);
    await this.subscriber?.unsubscribe(channel).catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
