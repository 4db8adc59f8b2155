import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { getLogger, InjectConfig, RedisService } from '@ticketing/platform';
import type { EventOwnerDoc } from '../catalog/schemas/event-owner.schema';
import type { LastChange, StoredPolicy, TicketPriceDoc } from '../catalog/schemas/ticket-price.schema';
import type { PricingConfig } from '../config';

/** What a read of a ticket type's price or settings needs from its document (and nothing else). */
export type PriceReadState = Pick<
  TicketPriceDoc,
  | '_id'
  | 'eventId'
  | 'currency'
  | 'basePrice'
  | 'capacity'
  | 'salesEnd'
  | 'policy'
  | 'price'
  | 'version'
  | 'typeVersion'
  | 'lastChangedAt'
  | 'soldTotal'
  | 'heldTotal'
> & { lastChange: Pick<LastChange, 'at'> | null };

export type OwnerReadState = Pick<EventOwnerDoc, '_id' | 'organizerId' | 'aggregateVersion'>;

/**
 * Writes the copy unless the stored one is newer: (`v`, `t`, `s`) compared in that order. `v` is the price
 * version (the event's aggregateVersion for an owner), `t` the ticket-type snapshot applied (base price,
 * capacity, sales window), `s` the units sold (it moves the tier in force without a price change when two
 * tiers cost the same). All three only grow, so an older snapshot (a read that refills after a newer write,
 * a write delivered late) never replaces a newer copy; an equal one rewrites it and renews its TTL.
 * KEYS[1] = copy; ARGV = v, t, s, JSON, TTL seconds. Returns 1 when written.
 */
const PUT_NEWER = `
local cur = redis.call('HMGET', KEYS[1], 'v', 't', 's')
local new = { tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]) }
if cur[1] then
  for i = 1, 3 do
    local c = tonumber(cur[i]) or -1
    if c > new[i] then return 0 end
    if c < new[i] then break end
  end
end
redis.call('HSET', KEYS[1], 'v', ARGV[1], 't', ARGV[2], 's', ARGV[3], 'd', ARGV[4])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[5]))
return 1`;

/** How often keys whose copy could not be written are deleted again until Redis answers. */
const HEAL_MS = 1_000;

const dateOrNull = (value: unknown): Date | null => (value == null ? null : new Date(value as string));

/**
 * Redis copies of what a price read needs, so `TicketType.price` and `pricingSettings` answer without their
 * two MongoDB lookups (the ticket type and its event's organizer). MongoDB stays the truth:
 * - written after MongoDB, by whoever has the document in hand (a repricing, changed or not, before its
 *   live update; an applied event; a read that missed, see CatalogService), each write guarded by
 *   `PUT_NEWER`;
 * - every copy expires `READ_COPY_TTL_SECONDS` after its last write, and a miss (flush, expiry, Redis down)
 *   reads MongoDB and writes the copy again, so losing Redis loses nothing;
 * - Redis errors never fail a read or a write: a read falls back to MongoDB; a copy that could not be
 *   written may be older than MongoDB, so its key is deleted at once, or every HEAL_MS until Redis answers
 *   (the TTL bounds what a crash in between leaves).
 */
@Injectable()
export class ReadCopies implements OnApplicationShutdown {
  private readonly log = getLogger('read-copies');
  private readonly ttlSeconds: number;
  /** Keys whose last write failed: their copy may be stale until deleted. */
  private readonly unsure = new Set<string>();
  private healing?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    @InjectConfig() config: PricingConfig,
  ) {
    this.ttlSeconds = config.READ_COPY_TTL_SECONDS;
  }

  typeKey(ticketTypeId: string): string {
    return this.redis.key('pricing', 'price', ticketTypeId);
  }

  ownerKey(eventId: string): string {
    return this.redis.key('pricing', 'owner', eventId);
  }

  /** The copied read state of a ticket type; undefined on a miss or when Redis does not answer. */
  async type(ticketTypeId: string): Promise<PriceReadState | undefined> {
    const raw = await this.get(this.typeKey(ticketTypeId));
    if (raw === undefined) return undefined;
    const d = raw as PriceReadState;
    return {
      ...d,
      salesEnd: new Date(d.salesEnd),
      lastChangedAt: dateOrNull(d.lastChangedAt),
      lastChange: d.lastChange ? { at: new Date(d.lastChange.at) } : null,
      policy: {
        ...d.policy,
        ...(d.policy.tiers
          ? { tiers: d.policy.tiers.map((t) => ({ ...t, until: dateOrNull(t.until) })) }
          : {}),
      } as StoredPolicy,
    };
  }

  /**
   * Copies a type's read state (a document without a price yet is not copied: reads of it go to MongoDB).
   * `fromRead`: a read that missed refills; its failure leaves nothing stale behind, so nothing is deleted.
   * Resolves to whether Redis answered (never rejects).
   */
  putType(doc: PriceReadState, fromRead = false): Promise<boolean> {
    if (doc.price == null || doc.version == null) return Promise.resolve(true);
    const state: PriceReadState = {
      _id: doc._id,
      eventId: doc.eventId,
      currency: doc.currency,
      basePrice: doc.basePrice,
      capacity: doc.capacity,
      salesEnd: doc.salesEnd,
      policy: doc.policy,
      price: doc.price,
      version: doc.version,
      typeVersion: doc.typeVersion ?? 0,
      lastChangedAt: doc.lastChangedAt ?? null,
      lastChange: doc.lastChange ? { at: doc.lastChange.at } : null,
      soldTotal: doc.soldTotal ?? 0,
      heldTotal: doc.heldTotal ?? 0,
    };
    const order = [doc.version, state.typeVersion, state.soldTotal] as const;
    return this.put(this.typeKey(doc._id), order, state, fromRead);
  }

  async owner(eventId: string): Promise<OwnerReadState | undefined> {
    return (await this.get(this.ownerKey(eventId))) as OwnerReadState | undefined;
  }

  /** Copies an event's organizer, ordered by its aggregateVersion; as `putType` otherwise. */
  putOwner(owner: OwnerReadState, fromRead = false): Promise<boolean> {
    const state: OwnerReadState = {
      _id: owner._id,
      organizerId: owner.organizerId,
      aggregateVersion: owner.aggregateVersion ?? 0,
    };
    return this.put(this.ownerKey(owner._id), [state.aggregateVersion, 0, 0], state, fromRead);
  }

  private async get(key: string): Promise<unknown> {
    try {
      const raw = await this.redis.client.hget(key, 'd');
      return raw === null ? undefined : (JSON.parse(raw) as unknown);
    } catch (error) {
      this.log.debug({ err: error, key }, 'read copy not read (MongoDB answers)');
      return undefined;
    }
  }

  private async put(
    key: string,
    order: readonly [number, number, number],
    state: object,
    fromRead: boolean,
  ): Promise<boolean> {
    try {
      await this.redis.client.eval(
        PUT_NEWER,
        1,
        key,
        ...order.map(String),
        JSON.stringify(state),
        String(this.ttlSeconds),
      );
      return true;
    } catch (error) {
      if (fromRead) {
        this.log.debug({ err: error, key }, 'read copy not refilled');
        return false;
      }
      try {
        // The write failed but Redis may still answer (a timeout, a script error): the older copy goes now.
        await this.redis.client.del(key);
        this.log.warn({ err: error, key }, 'read copy not written (deleted)');
      } catch {
        this.log.warn({ err: error, key }, 'read copy not written (deleted once Redis answers)');
        this.unsure.add(key);
        this.healing ??= setInterval(() => void this.heal(), HEAL_MS).unref();
      }
      return false;
    }
  }

  /** Deletes the copies whose write failed; stops once none is left. */
  private async heal(): Promise<void> {
    const keys = [...this.unsure];
    try {
      if (keys.length > 0) await this.redis.client.del(...keys);
    } catch {
      return; // Redis still away: next tick
    }
    for (const key of keys) this.unsure.delete(key);
    if (this.unsure.size === 0) {
      clearInterval(this.healing);
      this.healing = undefined;
    }
  }

  onApplicationShutdown(): void {
    clearInterval(this.healing);
  }
}
