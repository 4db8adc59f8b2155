import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { MoneyTotal } from '../../common/money.model';

@ObjectType()
export class TicketTypeSales {
  @Field(() => ID)
  ticketTypeId!: string;

  @Field()
  name!: string;

  @Field(() => Int)
  capacity!: number;

  @Field(() => Int)
  sold!: number;

  @Field(() => Int)
  held!: number;

  @Field(() => Int)
  remaining!: number;

  @Field(() => MoneyTotal, { description: 'Everything sold, before refunds.' })
  revenue!: MoneyTotal;

  @Field(() => Int, { description: 'Tickets of this type whose orders were refunded (a cancelled event).' })
  refunded!: number;

  @Field(() => MoneyTotal, {
    description: 'What those refunds gave back: `revenue` less this is what was kept.',
  })
  refundedRevenue!: MoneyTotal;
}

@ObjectType({
  description: 'Sales of an event per ticket type, from counters kept with every hold and sale.',
})
export class SalesSummary {
  @Field(() => ID)
  eventId!: string;

  @Field({ description: 'The event was cancelled: its orders are refunded (see `refunded`).' })
  cancelled!: boolean;

  @Field(() => [TicketTypeSales])
  ticketTypes!: TicketTypeSales[];

  @Field()
  at!: Date;
}
