import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { getLogger, LiveChannels, RedisService } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { TICKET_PRICE, type TicketPriceDoc } from '../catalog/schemas/ticket-price.schema';

/** What priceChanged(eventId) subscribers receive. */
export interface PriceUpdateMessage {
  ticketTypeId: string;
  eventId: string;
  amount: number;
  previous: number | null;
  currency: string;
  version: number;
  reason: string;
  at: string;
}

/** Most updates kept for one slow subscriber before the oldest are dropped. */
const MAX_QUEUED = 100;

/**
 * Keeps, per ticket type, only updates newer than the last one passed: replicas publish in no set order, and
 * a catch-up may repeat what the channel already delivered.
 */
export function newerOnly(): (message: PriceUpdateMessage) => boolean {
  const passed = new Map<string, number>();
  return (message) => {
    if (message.version <= (passed.get(message.ticketTypeId) ?? 0)) return false;
    passed.set(message.ticketTypeId, message.version);
    return true;
  };
}

/**
 * Live price changes of an event over Redis pub/sub (`<prefix>prices:<eventId>`), so subscribers on any
 * replica hear changes made by every replica. After a Redis reconnect a subscriber gets each type's last
 * change it missed, read from MongoDB.
 */
@Injectable()
export class PriceFeed {
  private readonly log = getLogger('price-feed');

  constructor(
    private readonly redis: RedisService,
    private readonly live: LiveChannels,
    @InjectModel(TICKET_PRICE) private readonly prices: Model<TicketPriceDoc>,
  ) {}

  channel(eventId: string): string {
    return this.redis.key('prices', eventId);
  }

  async publish(message: PriceUpdateMessage): Promise<void> {
    try {
      await this.redis.client.publish(this.channel(message.eventId), JSON.stringify(message));
    } catch (error) {
      this.log.warn({ err: error, eventId: message.eventId }, 'price update not announced (Redis down)');
    }
  }

  /**
   * Every update of an event, each version once and none older than one sent, until the consumer stops;
   * `shape` turns each into what the consumer wants. Return the stream itself to GraphQL rather than
   * re-yield it from an `async *` resolver: its `return()` releases the channel at once, while a generator
   * would wait for the event's next price change to notice the client left.
   */
  updates(eventId: string): AsyncGenerator<PriceUpdateMessage, void, unknown>;
  updates<R>(eventId: string, shape: (message: PriceUpdateMessage) => R): AsyncGenerator<R, void, unknown>;
  updates(
    eventId: string,
    shape: (message: PriceUpdateMessage) => unknown = (message) => message,
  ): AsyncGenerator<unknown, void, unknown> {
    const fresh = newerOnly();
    return this.live.messages(this.channel(eventId), {
      parse: (raw) => {
        const message = parseUpdate(raw);
        return message && fresh(message) ? shape(message) : undefined;
      },
      maxQueued: MAX_QUEUED,
      catchUp: async () => (await this.lastChanges(eventId)).filter(fresh).map(shape),
    });
  }

  /** The last change of each priced ticket type of the event, as it was announced. */
  async lastChanges(eventId: string): Promise<PriceUpdateMessage[]> {
    const docs = await this.prices
      .find({ eventId }, { _id: 1, eventId: 1, currency: 1, lastChange: 1 })
      .lean<Array<Pick<TicketPriceDoc, '_id' | 'eventId' | 'currency' | 'lastChange'>>>()
      .exec();
    return docs.flatMap(({ _id, currency, lastChange }) =>
      lastChange
        ? [
            {
              ticketTypeId: _id,
              eventId,
              amount: lastChange.price,
              previous: lastChange.previous,
              currency,
              version: lastChange.version,
              reason: lastChange.reason,
              at: new Date(lastChange.at).toISOString(),
            },
          ]
        : [],
    );
  }
}

function parseUpdate(raw: string): PriceUpdateMessage | undefined {
  try {
    const message = JSON.parse(raw) as Partial<PriceUpdateMessage> | null;
    return typeof message?.ticketTypeId === 'string' && typeof message.version === 'number'
      ? (message as PriceUpdateMessage)
      : undefined;
  } catch {
    return undefined;
  }
}
