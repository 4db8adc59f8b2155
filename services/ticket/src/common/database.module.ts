import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EVENT_REPLICA, EventReplicaSchema } from '../catalog/schemas/event-replica.schema';
import { PRICE_REPLICA, PriceReplicaSchema } from '../catalog/schemas/price-replica.schema';
import { TICKET_TYPE_REPLICA, TicketTypeReplicaSchema } from '../catalog/schemas/ticket-type-replica.schema';
import { BUYER_LIMIT, BuyerLimitSchema } from '../inventory/schemas/buyer-limit.schema';
import { INVENTORY, InventorySchema } from '../inventory/schemas/inventory.schema';
import { SEAT, SeatSchema } from '../inventory/schemas/seat.schema';
import { IDEMPOTENCY_RECORD, IdempotencyRecordSchema } from '../orders/schemas/idempotency-record.schema';
import { ORDER, OrderSchema } from '../orders/schemas/order.schema';
import { TEST_CHARGE, TestChargeSchema } from '../orders/schemas/test-charge.schema';
import { RESERVATION, ReservationSchema } from '../reservations/schemas/reservation.schema';
import { SIGNING_KEY, SigningKeySchema } from '../tickets/schemas/signing-key.schema';
import { TICKET, TicketSchema } from '../tickets/schemas/ticket.schema';
import { TRANSFER, TransferSchema } from '../transfers/schemas/transfer.schema';
import { TicketOutbox } from './ticket-outbox.service';

const models = MongooseModule.forFeature([
  { name: EVENT_REPLICA, schema: EventReplicaSchema },
  { name: TICKET_TYPE_REPLICA, schema: TicketTypeReplicaSchema },
  { name: PRICE_REPLICA, schema: PriceReplicaSchema },
  { name: INVENTORY, schema: InventorySchema },
  { name: SEAT, schema: SeatSchema },
  { name: BUYER_LIMIT, schema: BuyerLimitSchema },
  { name: RESERVATION, schema: ReservationSchema },
  { name: ORDER, schema: OrderSchema },
  { name: IDEMPOTENCY_RECORD, schema: IdempotencyRecordSchema },
  { name: TEST_CHARGE, schema: TestChargeSchema },
  { name: TICKET, schema: TicketSchema },
  { name: SIGNING_KEY, schema: SigningKeySchema },
  { name: TRANSFER, schema: TransferSchema },
]);

/**
 * Every collection the ticket service owns, registered once and shared by the feature modules, and the
 * outbox relay loops of the aggregates that publish events.
 */
@Global()
@Module({ imports: [models], providers: [TicketOutbox], exports: [models, TicketOutbox] })
export class DatabaseModule {}
