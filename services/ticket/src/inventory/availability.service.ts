import { Injectable } from '@nestjs/common';
import { getLogger, RedisService } from '@ticketing/platform';
import { InventoryService } from './inventory.service';

export interface AvailabilityView {
  capacity: number;
  remaining: number;
  held: number;
  sold: number;
}

/** Cached availability lives this long at most; every change also drops it at once. */
const CACHE_TTL_SECONDS = 5;

/**
 * `TicketType.availability` from Redis, rebuilt from MongoDB when missing. Every inventory change drops the
 * cached copy and announces itself on the event's sales channel (Redis pub/sub, so every replica's
 * subscribers hear it).
 */
@Injectable()
export class AvailabilityService {
  private readonly log = getLogger('availability');

  constructor(
    private readonly redis: RedisService,
    private readonly inventory: InventoryService,
  ) {}

  cacheKey(ticketTypeId: string): string {
    return this.redis.key('avail', ticketTypeId);
  }

  salesChannel(eventId: string): string {
    return this.redis.key('sales', eventId);
  }

  async get(ticketTypeId: string): Promise<AvailabilityView | null> {
    try {
      const cached = await this.redis.client.get(this.cacheKey(ticketTypeId));
      if (cached) return JSON.parse(cached) as AvailabilityView;
    } catch {
      // Redis is a cache: read MongoDB instead.
    }
    const doc = await this.inventory.find(ticketTypeId);
    if (!doc) return null;
    const view: AvailabilityView = {
      capacity: doc.capacity,
      remaining: doc.available,
      held: doc.held,
      sold: doc.sold,
    };
    await this.redis.client
      .set(this.cacheKey(ticketTypeId), JSON.stringify(view), 'EX', CACHE_TTL_SECONDS)
      .catch(() => undefined);
    return view;
  }

  /** Call after every stock change of a ticket type. Never throws. */
  async changed(eventId: string, ticketTypeId: string): Promise<void> {
    try {
      await this.redis.client.del(this.cacheKey(ticketTypeId));
      await this.redis.client.publish(this.salesChannel(eventId), ticketTypeId);
    } catch (error) {
      this.log.debug({ err: error, ticketTypeId }, 'availability change not announced (Redis unavailable)');
    }
  }
}
