import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { getLogger, RedisService } from '@ticketing/platform';
import type Redis from 'ioredis';

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
 * Live price changes of an event over Redis pub/sub (`<prefix>prices:<eventId>`), so subscribers on any
 * replica hear changes made by every replica. Best effort: a missed message is repaired by the next query.
 */
@Injectable()
export class PriceFeed implements OnApplicationShutdown {
  private readonly log = getLogger('price-feed');
  private subscriber?: Redis;
  private readonly listeners = new Map<string, Set<(message: PriceUpdateMessage) => void>>();

  constructor(private readonly redis: RedisService) {}

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

  /** Every update of an event until the consumer stops iterating. */
  async *updates(eventId: string): AsyncGenerator<PriceUpdateMessage> {
    const channel = this.channel(eventId);
    const queue: PriceUpdateMessage[] = [];
    let wake: (() => void) | undefined;
    const listener = (message: PriceUpdateMessage) => {
      queue.push(message);
      if (queue.length > MAX_QUEUED) queue.shift();
      wake?.();
    };
    await this.listen(channel, listener);
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      await this.unlisten(channel, listener);
    }
  }

  private async listen(channel: string, listener: (message: PriceUpdateMessage) => void): Promise<void> {
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    if (set.size > 1) return;
    if (!this.subscriber) {
      const subscriber = this.redis.client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      subscriber.on('error', (error: Error) => this.log.debug({ err: error }, 'price subscriber error'));
      subscriber.on('message', (name: string, raw: string) => {
        let message: PriceUpdateMessage;
        try {
          message = JSON.parse(raw) as PriceUpdateMessage;
        } catch {
          return;
        }
        for (const fn of this.listeners.get(name) ?? []) fn(message);
      });
      this.subscriber = subscriber;
    }
    await this.subscriber.subscribe(channel);
  }

  private async unlisten(channel: string, listener: (message: PriceUpdateMessage) => void): Promise<void> {
    const set = this.listeners.get(channel);
    set?.delete(listener);
    if (set && set.size > 0) return;
    this.listeners.delete(channel);
    await this.subscriber?.unsubscribe(channel).catch(() => undefined);
  }

  onApplicationShutdown(): void {
    this.subscriber?.disconnect();
  }
}
