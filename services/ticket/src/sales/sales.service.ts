import { Injectable } from '@nestjs/common';
import { InjectConfig, LiveChannels } from '@ticketing/platform';
import { CatalogService } from '../catalog/catalog.service';
import type { TicketConfig } from '../config';
import { AvailabilityService } from '../inventory/availability.service';
import { InventoryService } from '../inventory/inventory.service';
import type { SalesSummary } from './models/sales-summary.model';

@Injectable()
export class SalesService {
  constructor(
    private readonly inventory: InventoryService,
    private readonly catalog: CatalogService,
    private readonly availability: AvailabilityService,
    private readonly live: LiveChannels,
    @InjectConfig() private readonly config: TicketConfig,
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
   * on the event's Redis channel, at most every SALES_UPDATE_MIN_INTERVAL_MS. Ends when the client
   * unsubscribes.
   */
  updates(eventId: string): AsyncGenerator<{ salesUpdated: SalesSummary }, void, unknown> {
    return this.live.snapshots(this.availability.salesChannel(eventId), {
      minIntervalMs: this.config.SALES_UPDATE_MIN_INTERVAL_MS,
      read: async () => ({ salesUpdated: await this.summary(eventId) }),
    });
  }
}
