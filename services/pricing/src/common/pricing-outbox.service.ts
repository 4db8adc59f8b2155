import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { OutboxRelay, type OutboxRegistration } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { TICKET_PRICE, type TicketPriceDoc } from '../catalog/schemas/ticket-price.schema';

/** Idle poll; writers nudge, so this only bounds how late another replica's (or a crash's) message goes out. */
const POLL_MS = 1_000;

/** The relay loop publishing price.changed from ticket_prices' outbox. */
@Injectable()
export class PricingOutbox implements OnModuleInit {
  private loop?: OutboxRegistration;

  constructor(
    private readonly relay: OutboxRelay,
    @InjectModel(TICKET_PRICE) private readonly prices: Model<TicketPriceDoc>,
  ) {}

  onModuleInit(): void {
    this.loop = this.relay.register(this.prices, { pollMs: POLL_MS });
  }

  nudge(): void {
    this.loop?.nudge();
  }
}
