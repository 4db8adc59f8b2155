import { Injectable } from '@nestjs/common';
import { getLogger, InjectConfig, RedisService } from '@ticketing/platform';
import type { TicketConfig } from '../config';
import { GATE_GIVE_SCRIPT, GATE_TAKE_SCRIPT, SEATS_TAKE_SCRIPT } from './availability-gate.lua';

export type GateDecision = 'admitted' | 'refused' | 'bypassed';

const MISSING = -2;
const REFUSED = -1;

/**
 * Redis counter per general-admission ticket type that refuses SOLD_OUT in one round trip, so a flash sale
 * does not hammer MongoDB with updates that must fail. It is only a filter: when Redis is down or has lost
 * the counter the request goes on to MongoDB (bypassed), whose guarded update decides. The counter is
 * rebuilt from MongoDB when missing and expires after GATE_TTL_SECONDS, which bounds any drift.
 */
@Injectable()
export class AvailabilityGate {
  private readonly log = getLogger('availability-gate');
  private readonly ttlSeconds: number;
  /** A seat marker outlives the hold it stands for by a minute; a lost marker only costs a MongoDB try. */
  private readonly seatMarkMs: number;
  /** Counter rebuilds in progress, per ticket type (see rebuild). */
  private readonly rebuilds = new Map<string, Promise<boolean>>();

  constructor(
    private readonly redis: RedisService,
    @InjectConfig() config: TicketConfig,
  ) {
    this.ttlSeconds = config.GATE_TTL_SECONDS;
    this.seatMarkMs = (config.HOLD_TTL_SECONDS + 60) * 1000;
  }

  seatKey(ticketTypeId: string, seatId: string): string {
    return this.redis.key('seatgate', ticketTypeId, seatId);
  }

  /**
   * Reserved seating: refuses at once when one of the seats is marked taken, else marks them all. Markers
   * are only hints (Redis may lose them): MongoDB's per-seat guarded update stays the truth.
   */
  async takeSeats(ticketTypeId: string, seatIds: readonly string[]): Promise<GateDecision> {
    try {
      const keys = seatIds.map((seat) => this.seatKey(ticketTypeId, seat));
      const answer = Number(
        await this.redis.client.eval(SEATS_TAKE_SCRIPT, keys.length, ...keys, String(this.seatMarkMs)),
      );
      return answer === 0 ? 'admitted' : 'refused';
    } catch (error) {
      this.log.warn({ err: error, ticketTypeId }, 'seat gate unavailable; MongoDB decides alone');
      return 'bypassed';
    }
  }

  /** Clears seat markers (the hold failed, was released or expired). Never throws. */
  async freeSeats(ticketTypeId: string, seatIds: readonly string[]): Promise<void> {
    if (seatIds.length === 0) return;
    await this.redis.client
      .del(...seatIds.map((seat) => this.seatKey(ticketTypeId, seat)))
      .catch(() => undefined);
  }

  /** Marks seats MongoDB found taken, so the next buyers of them are refused without a MongoDB round trip. */
  async markSeatsTaken(ticketTypeId: string, seatIds: readonly string[]): Promise<void> {
    const pipeline = this.redis.client.pipeline();
    for (const seat of seatIds) pipeline.set(this.seatKey(ticketTypeId, seat), '1', 'PX', this.seatMarkMs);
    await pipeline.exec().catch(() => undefined);
  }

  key(ticketTypeId: string): string {
    return this.redis.key('gate', ticketTypeId);
  }

  /** Asks the gate for `quantity` units; `loadAvailable` reads MongoDB when the counter must be rebuilt. */
  async take(
    ticketTypeId: string,
    quantity: number,
    loadAvailable: () => Promise<number | null>,
  ): Promise<GateDecision> {
    try {
      let answer = await this.eval(GATE_TAKE_SCRIPT, ticketTypeId, quantity);
      if (answer === MISSING) {
        if (!(await this.rebuild(ticketTypeId, loadAvailable))) return 'bypassed';
        answer = await this.eval(GATE_TAKE_SCRIPT, ticketTypeId, quantity);
      }
      if (answer === REFUSED) return 'refused';
      if (answer === MISSING) return 'bypassed';
      return 'admitted';
    } catch (error) {
      this.log.warn({ err: error, ticketTypeId }, 'availability gate unavailable; MongoDB decides alone');
      return 'bypassed';
    }
  }

  /**
   * Rebuilds a missing counter from MongoDB. Concurrent requests of this process share one rebuild (at the
   * start of a sale, or after Redis lost its data, hundreds of requests find the counter missing at once);
   * `SET NX` keeps the first value written when several replicas rebuild together. False: no inventory.
   */
  private rebuild(ticketTypeId: string, loadAvailable: () => Promise<number | null>): Promise<boolean> {
    let pending = this.rebuilds.get(ticketTypeId);
    if (!pending) {
      pending = (async () => {
        const available = await loadAvailable();
        if (available === null) return false;
        await this.redis.client.set(this.key(ticketTypeId), String(available), 'EX', this.ttlSeconds, 'NX');
        return true;
      })().finally(() => this.rebuilds.delete(ticketTypeId));
      this.rebuilds.set(ticketTypeId, pending);
    }
    return pending;
  }

  /** Puts units back on the counter (when it exists). Never throws: the counter is only a hint. */
  async give(ticketTypeId: string, quantity: number): Promise<void> {
    try {
      await this.eval(GATE_GIVE_SCRIPT, ticketTypeId, quantity);
    } catch (error) {
      this.log.debug({ err: error, ticketTypeId }, 'availability gate give skipped');
    }
  }

  /** Drops the counter (capacity changed): the next request rebuilds it from MongoDB. */
  async reset(ticketTypeId: string): Promise<void> {
    await this.redis.client.del(this.key(ticketTypeId)).catch(() => undefined);
  }

  private async eval(script: string, ticketTypeId: string, quantity: number): Promise<number> {
    const result = await this.redis.client.eval(script, 1, this.key(ticketTypeId), String(quantity));
    return Number(result);
  }
}
