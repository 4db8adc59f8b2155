import { Directive, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { PricingType, TicketKind, TierBasis } from '../domain/event.types';
import { PricingTypeEnum, TicketKindEnum, TierBasisEnum } from './enums';

@ObjectType()
export class PriceTier {
  @Field(() => Int)
  priceMinor!: number;

  @Field(() => Date, { nullable: true })
  until?: Date | null;

  @Field(() => Int, { nullable: true })
  upToQuantity?: number | null;
}

@ObjectType({ description: 'How the price of a ticket type may move. Amounts are integer minor units.' })
export class TicketPricingPolicy {
  @Field(() => PricingTypeEnum)
  type!: PricingType;

  @Field(() => Int, { nullable: true })
  floorMinor?: number | null;

  @Field(() => Int, { nullable: true })
  ceilingMinor?: number | null;

  @Field(() => Int, { nullable: true })
  maxStepPct?: number | null;

  @Field(() => TierBasisEnum, { nullable: true })
  tierBasis?: TierBasis | null;

  @Field(() => [PriceTier])
  tiers!: PriceTier[];
}

@ObjectType()
@Directive('@key(fields: "id")')
export class TicketType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  eventId!: string;

  @Field()
  name!: string;

  @Field(() => Int, { description: 'Base price in integer minor units of `currency`.' })
  priceMinor!: number;

  @Field({ description: 'ISO 4217 code.' })
  currency!: string;

  @Field(() => TicketKindEnum)
  kind!: TicketKind;

  @Field(() => Int, { description: 'Tickets on sale; for RESERVED the number of seats.' })
  quantity!: number;

  @Field(() => [String])
  seatIds!: string[];

  @Field(() => Int)
  perOrderMax!: number;

  @Field(() => Int, {
    description:
      "Most tickets of this ticket type one buyer may hold (the event's own perBuyerMax, if set, also applies).",
  })
  perBuyerMax!: number;

  @Field(() => Date, { nullable: true })
  salesStartAt?: Date | null;

  @Field(() => Date, { nullable: true })
  salesEndAt?: Date | null;

  @Field(() => TicketPricingPolicy, {
    nullable: true,
    description:
      "The pricing policy given here (addTicketType/updateTicketType): the event's organizer and admins only, null for anyone else (a demand floor is the organizer's business, not a buyer's). The pricing service's setPricingPolicy may replace it since (an edit here that leaves it unchanged keeps that one): pricingSettings(ticketTypeId) is the policy in force, and `price` the price buyers are quoted.",
  })
  pricing!: TicketPricingPolicy | null;
}
