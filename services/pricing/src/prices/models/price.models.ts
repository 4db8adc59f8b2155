import { Directive, Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum PricingPolicyKind {
  FIXED = 'FIXED',
  TIERED = 'TIERED',
  DEMAND = 'DEMAND',
}
registerEnumType(PricingPolicyKind, {
  name: 'PricingPolicyKind',
  description: 'FIXED: the base price. TIERED: steps by date or quantity sold. DEMAND: bounded by demand.',
});

@ObjectType({ description: 'An amount in integer minor units (cents) of an ISO 4217 currency.' })
@Directive('@shareable')
export class Money {
  @Field(() => Int)
  amount!: number;

  @Field()
  currency!: string;
}

@ObjectType({ description: 'The price that follows the current tier, and what ends the current one.' })
export class NextPriceTier {
  @Field(() => Money)
  price!: Money;

  @Field(() => Date, { nullable: true, description: 'When the current tier ends on a date.' })
  startsAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'Units sold after which it starts.' })
  afterSold!: number | null;
}

@ObjectType({ description: 'The price new holds are quoted now.' })
export class TicketPrice {
  @Field(() => Int)
  amount!: number;

  @Field()
  currency!: string;

  @Field(() => Int, { description: 'Counts changes (priceVersion of price.changed).' })
  version!: number;

  @Field(() => Date, { nullable: true })
  updatedAt!: Date | null;

  @Field(() => NextPriceTier, { nullable: true, description: 'TIERED: the next scheduled tier, if any.' })
  nextTier!: NextPriceTier | null;
}

/** The event service's ticket type, extended with its current price. */
@ObjectType()
@Directive('@key(fields: "id")')
export class TicketType {
  @Field(() => ID)
  id!: string;

  @Field(() => TicketPrice, { nullable: true, description: 'Null until pricing knows the type.' })
  price?: TicketPrice | null;
}

@ObjectType({ description: 'One named reason of a price and the number it stands for.' })
export class PriceFactor {
  @Field()
  name!: string;

  @Field(() => Float)
  value!: number;

  @Field()
  detail!: string;
}

@ObjectType({ description: 'A price change with the factors that produced it.' })
export class PriceChange {
  @Field(() => ID)
  ticketTypeId!: string;

  @Field(() => Int)
  version!: number;

  @Field(() => Money)
  price!: Money;

  @Field(() => Money, { nullable: true })
  previous!: Money | null;

  @Field({ description: 'INITIAL, DEMAND, TIER, POLICY_CHANGED or BASE_PRICE_CHANGED.' })
  reason!: string;

  @Field(() => [PriceFactor])
  factors!: PriceFactor[];

  @Field(() => Date)
  at!: Date;
}

@ObjectType({ description: 'A live price change of one ticket type of the event.' })
export class PriceUpdate {
  @Field(() => ID)
  ticketTypeId!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => Money)
  price!: Money;

  @Field(() => Money, { nullable: true })
  previous!: Money | null;

  @Field(() => Int)
  version!: number;

  @Field()
  reason!: string;

  @Field(() => Date)
  at!: Date;
}

@ObjectType()
export class PriceTierRule {
  @Field(() => Int)
  amount!: number;

  @Field(() => Date, { nullable: true })
  until!: Date | null;

  @Field(() => Int, { nullable: true })
  untilSold!: number | null;
}

@ObjectType({
  description: "A ticket type's pricing policy and the price it gives now (organizer and ADMIN).",
})
export class PricingSettings {
  @Field(() => ID)
  ticketTypeId!: string;

  @Field(() => PricingPolicyKind)
  kind!: PricingPolicyKind;

  @Field()
  currency!: string;

  @Field(() => Int)
  basePrice!: number;

  @Field(() => Int, { nullable: true })
  floor!: number | null;

  @Field(() => Int, { nullable: true })
  ceiling!: number | null;

  @Field(() => Float, { nullable: true })
  maxStepPct!: number | null;

  @Field(() => Int, { nullable: true })
  minIntervalSeconds!: number | null;

  @Field(() => Float, { nullable: true })
  sensitivity!: number | null;

  @Field(() => Float, { nullable: true })
  hysteresisPct!: number | null;

  @Field(() => Int, { nullable: true, description: 'Minor units every new price ends with (99 → x.99).' })
  priceEnding!: number | null;

  @Field(() => [PriceTierRule])
  tiers!: PriceTierRule[];

  @Field(() => TicketPrice, { nullable: true })
  price!: TicketPrice | null;
}
