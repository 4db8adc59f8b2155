import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { OutboxRelay } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { ORDER, type OrderDoc } from '../orders/schemas/order.schema';
import { RESERVATION, type ReservationDoc } from '../reservations/schemas/reservation.schema';
import { TICKET, type TicketDoc } from '../tickets/schemas/ticket.schema';

/** The aggregates whose outbox the relay publishes: reservations, orders, tickets. */
@Injectable()
export class OutboxRegistration implements OnModuleInit {
  constructor(
    private readonly relay: OutboxRelay,
    @InjectModel(RESERVATION) private readonly reservations: Model<ReservationDoc>,
    @InjectModel(ORDER) private readonly orders: Model<OrderDoc>,
    @InjectModel(TICKET) private readonly tickets: Model<TicketDoc>,
  ) {}

  onModuleInit(): void {
    this.relay.register(this.reservations);
    this.relay.register(this.orders);
    this.relay.register(this.tickets);
  }
}
