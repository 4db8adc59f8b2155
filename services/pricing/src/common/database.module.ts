import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { EVENT_OWNER, EventOwnerSchema } from '../catalog/schemas/event-owner.schema';
import { TICKET_PRICE, TicketPriceSchema } from '../catalog/schemas/ticket-price.schema';
import { PRICE_HISTORY, PriceHistorySchema } from '../prices/schemas/price-history.schema';
import { DEMAND_BUCKET, DemandBucketSchema } from '../signals/schemas/demand-bucket.schema';
import { SIGNAL_RECEIPT, SignalReceiptSchema } from '../signals/schemas/signal-receipt.schema';
import { PricingOutbox } from './pricing-outbox.service';
import { ReadCopies } from './read-copies.service';

const models = MongooseModule.forFeature([
  { name: EVENT_OWNER, schema: EventOwnerSchema },
  { name: TICKET_PRICE, schema: TicketPriceSchema },
  { name: PRICE_HISTORY, schema: PriceHistorySchema },
  { name: DEMAND_BUCKET, schema: DemandBucketSchema },
  { name: SIGNAL_RECEIPT, schema: SignalReceiptSchema },
]);

/** Every collection pricing owns, registered once, the outbox relay of ticket_prices and the Redis read copies. */
@Global()
@Module({
  imports: [models],
  providers: [PricingOutbox, ReadCopies],
  exports: [models, PricingOutbox, ReadCopies],
})
export class DatabaseModule {}
