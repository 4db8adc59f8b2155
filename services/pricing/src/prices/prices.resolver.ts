import {
  Args,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  ResolveReference,
  Subscription,
} from '@nestjs/graphql';
import { type AuthUser, CurrentUser, Public } from '@ticketing/platform';
import { SetPricingPolicyInput } from './dto/set-pricing-policy.input';
import { PriceChange, PriceUpdate, PricingSettings, TicketPrice, TicketType } from './models/price.models';
import { PriceFeed } from './price-feed.service';
import { PricesService } from './prices.service';

/** `TicketType.price`: public, like the event listing it decorates. */
@Resolver(() => TicketType)
export class TicketPriceResolver {
  constructor(private readonly prices: PricesService) {}

  @Public()
  @ResolveReference()
  resolveReference(reference: { __typename: string; id: unknown }): TicketType | null {
    // A representation is any JSON a caller of the subgraph sends: an id that is not a string names no type.
    return typeof reference.id === 'string' ? { id: reference.id } : null;
  }

  @Public()
  @ResolveField(() => TicketPrice, { nullable: true })
  price(@Parent() type: TicketType): Promise<TicketPrice | null> {
    return this.prices.priceOf(type.id);
  }
}

@Resolver()
export class PricesResolver {
  constructor(
    private readonly prices: PricesService,
    private readonly feed: PriceFeed,
  ) {}

  @Query(() => PricingSettings, {
    description: "A ticket type's policy and price (the event's organizer, ADMIN).",
  })
  pricingSettings(
    @CurrentUser() user: AuthUser,
    @Args('ticketTypeId', { type: () => ID }) ticketTypeId: string,
  ): Promise<PricingSettings> {
    return this.prices.settings(user, ticketTypeId);
  }

  @Query(() => [PriceChange], {
    description:
      "Price changes of a ticket type with their factors, oldest first (the event's organizer, ADMIN).",
  })
  priceHistory(
    @CurrentUser() user: AuthUser,
    @Args('ticketTypeId', { type: () => ID }) ticketTypeId: string,
    @Args('from', { type: () => Date, nullable: true }) from?: Date | null,
    @Args('to', { type: () => Date, nullable: true }) to?: Date | null,
  ): Promise<PriceChange[]> {
    return this.prices.historyOf(user, ticketTypeId, from, to);
  }

  @Mutation(() => PricingSettings, {
    description:
      "Sets a ticket type's pricing policy; the change is published as a price change (organizer, ADMIN).",
  })
  setPricingPolicy(
    @CurrentUser() user: AuthUser,
    @Args('ticketTypeId', { type: () => ID }) ticketTypeId: string,
    @Args('input') input: SetPricingPolicyInput,
  ): Promise<PricingSettings> {
    return this.prices.setPolicy(user, ticketTypeId, input);
  }

  @Public()
  @Subscription(() => PriceUpdate, {
    description: "Every price change of the event's ticket types (public).",
  })
  async priceChanged(
    @Args('eventId', { type: () => ID }) eventId: string,
  ): Promise<AsyncGenerator<{ priceChanged: PriceUpdate }>> {
    await this.prices.requirePublishedEvent(eventId);
    // The feed's own stream, returned as is (not re-yielded from a generator of ours): it ends as soon as
    // the client leaves, where a wrapping generator would notice only at the event's next price change.
    return this.feed.updates(eventId, (m) => ({
      priceChanged: {
        ticketTypeId: m.ticketTypeId,
        eventId: m.eventId,
        price: { amount: m.amount, currency: m.currency },
        previous: m.previous === null ? null : { amount: m.previous, currency: m.currency },
        version: m.version,
        reason: m.reason,
        at: new Date(m.at),
      },
    }));
  }
}
