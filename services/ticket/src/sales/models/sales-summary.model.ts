import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { Money } from '../../common/money.model';

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

  @Field(() => Money)
  revenue!: Money;
}

@ObjectType({
  description: 'Sales of an event per ticket type, from counters kept with every hold and sale.',
})
export class SalesSummary {
  @Field(() => ID)
  eventId!: string;

  @Field(() => [TicketTypeSales])
  ticketTypes!: TicketTypeSales[];

  @Field()
  at!: Date;
}
