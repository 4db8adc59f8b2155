import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { InjectConfig, LiveChannels } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CatalogService } from '../catalog/catalog.service';
import type { TicketConfig } from '../config';
import { AvailabilityService } from '../inventory/availability.service';
import { InventoryService } from '../inventory/inventory.service';
import { ORDER, type OrderDoc } from '../orders/schemas/order.schema';
import type { SalesSummary } from './models/sales-summary.model';

@Injectable()
export class SalesService {
  constructor(
    private readonly inventory: InventoryService,
    private readonly catalog: CatalogService,
    private readonly availability: AvailabilityService,
    private readonly live: LiveChannels,
    @InjectModel(ORDER) private readonly orders: Model<OrderDoc>,
    @InjectConfig() private readonly config: TicketConfig,
  ) {}

  async summary(eventId: string): Promise<SalesSummary> {
    const [docs, types, event] = await Promise.all([
      this.inventory.findByEvent(eventId),
      this.catalog.findTicketTypes(eventId),
      this.catalog.findEvent(eventId),
    ]);
    const cancelled = event?.cancelled === true;
    // Only a cancellation refunds orders: other events skip the read.
    const refunds = cancelled ? await this.refundsOf(eventId) : new Map<string, Refunds>();
    const names = new Map(types.map((t) => [t._id, t.name]));
    return {
      eventId,
      at: new Date(),
      cancelled,
      ticketTypes: docs.map((doc) => ({
        ticketTypeId: doc._id,
        name: names.get(doc._id) ?? doc._id,
        capacity: doc.capacity,
        sold: doc.sold,
        held: doc.held,
        remaining: doc.available,
        revenue: { amount: doc.revenue, currency: doc.currency },
        refunded: refunds.get(doc._id)?.tickets ?? 0,
        refundedRevenue: { amount: refunds.get(doc._id)?.amount ?? 0, currency: doc.currency },
      })),
    };
  }

  /** Tickets and amounts given back per ticket type, from the event's REFUNDED orders (index `{eventId, status}`). */
  private async refundsOf(eventId: string): Promise<Map<string, Refunds>> {
    const orders = await this.orders
      .find({ eventId, status: 'REFUNDED' }, { lines: 1, refundFrom: 1 })
      .lean<Pick<OrderDoc, 'lines' | 'refundFrom'>[]>()
      .exec();
    const byType = new Map<string, Refunds>();
    for (const order of orders) {
      // A charge refunded before its tickets were issued never counted as sold.
      if (order.refundFrom !== 'CONFIRMED') continue;
      for (const line of order.lines) {
        const sum = byType.get(line.ticketTypeId) ?? { tickets: 0, amount: 0 };
        sum.tickets += line.quantity;
        sum.amount += line.quantity * line.unitPrice.amount;
        byType.set(line.ticketTypeId, sum);
      }
    }
    return byType;
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

interface Refunds {
  tickets: number;
  amount: number;
}
