import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { OutboxRelay, type OutboxRegistration } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { ORDER, type OrderDoc } from '../orders/schemas/order.schema';
import { RESERVATION, type ReservationDoc } from '../reservations/schemas/reservation.schema';
import { TICKET, type TicketDoc } from '../tickets/schemas/ticket.schema';

export type OutboxCollection = 'reservations' | 'orders' | 'tickets';

/**
 * Idle poll of each relay loop (it backs off from here to the platform's 5 s). Writers nudge the loop of the
 * collection they wrote, so this only bounds how late a message written by another replica (or left by a
 * crash) goes out.
 */
const POLL_MS = 1_000;

/**
 * Nudges of one collection within this window wake its loop once: one relay round per burst of writes
 * rather than one per write, for at most this much extra publication delay.
 */
const NUDGE_COALESCE_MS = 50;

/**
 * The aggregates whose outbox the platform relay publishes (reservations, orders, tickets), one loop each.
 * `nudge(collection)` wakes only that collection's loop (waking all three after every write would make the
 * two idle ones run a claim query each for nothing).
 */
@Injectable()
export class TicketOutbox implements OnModuleInit {
  private readonly loops = new Map<OutboxCollection, OutboxRegistration>();

  constructor(
    private readonly relay: OutboxRelay,
    @InjectModel(RESERVATION) private readonly reservations: Model<ReservationDoc>,
    @InjectModel(ORDER) private readonly orders: Model<OrderDoc>,
    @InjectModel(TICKET) private readonly tickets: Model<TicketDoc>,
  ) {}

  onModuleInit(): void {
    const options = { pollMs: POLL_MS, nudgeCoalesceMs: NUDGE_COALESCE_MS };
    this.loops.set('reservations', this.relay.register(this.reservations, options));
    this.loops.set('orders', this.relay.register(this.orders, options));
    this.loops.set('tickets', this.relay.register(this.tickets, options));
  }

  /** Publish what was just appended to an outbox of `collection` soon rather than at the next poll. */
  nudge(collection: OutboxCollection): void {
    this.loops.get(collection)?.nudge();
  }
}
