import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { OutboxRelay, type OutboxRegistration } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { ORDER, type OrderDoc } from '../orders/schemas/order.schema';
import { RESERVATION, type ReservationDoc } from '../reservations/schemas/reservation.schema';
import { TICKET, type TicketDoc } from '../tickets/schemas/ticket.schema';

export type OutboxCollection = 'reservations' | 'orders' | 'tickets';

/**
 * Idle poll of each relay loop. Writers nudge the loop of the collection they wrote, so this only bounds
 * how late a message written by another replica (or left by a crash) goes out. Each poll is one claim
 * query, so a short period costs the database work for nothing most of the time.
 */
const POLL_MS = 1_000;

/**
 * Nudges of one collection within this window wake its loop once. Every round of the relay ends with a
 * claim query that finds nothing, so one round per burst of writes (rather than one per write) saves that
 * query many times over in a busy sale, for at most this much extra publication delay.
 */
const NUDGE_COALESCE_MS = 50;

/**
 * The aggregates whose outbox the platform relay publishes (reservations, orders, tickets), one loop each.
 * `nudge(collection)` wakes only that collection's loop (waking all three after every write would make the
 * two idle ones run a claim query each for nothing), once per NUDGE_COALESCE_MS.
 */
@Injectable()
export class TicketOutbox implements OnModuleInit, OnApplicationShutdown {
  private readonly loops = new Map<OutboxCollection, OutboxRegistration>();
  private readonly pending = new Map<OutboxCollection, NodeJS.Timeout>();

  constructor(
    private readonly relay: OutboxRelay,
    @InjectModel(RESERVATION) private readonly reservations: Model<ReservationDoc>,
    @InjectModel(ORDER) private readonly orders: Model<OrderDoc>,
    @InjectModel(TICKET) private readonly tickets: Model<TicketDoc>,
  ) {}

  onModuleInit(): void {
    this.loops.set('reservations', this.relay.register(this.reservations, { pollMs: POLL_MS }));
    this.loops.set('orders', this.relay.register(this.orders, { pollMs: POLL_MS }));
    this.loops.set('tickets', this.relay.register(this.tickets, { pollMs: POLL_MS }));
  }

  /** Publish what was just appended to an outbox of `collection` soon rather than at the next poll. */
  nudge(collection: OutboxCollection): void {
    if (this.pending.has(collection)) return;
    const timer = setTimeout(() => {
      this.pending.delete(collection);
      this.loops.get(collection)?.nudge();
    }, NUDGE_COALESCE_MS);
    timer.unref();
    this.pending.set(collection, timer);
  }

  onApplicationShutdown(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
