import { Context, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { Public, userFromContext, type GraphqlRequestContext } from '@ticketing/platform';
import { EventsQueryService } from './events-query.service';
import { TicketPricingPolicy, TicketType } from './models/ticket-type.model';

@Resolver(() => TicketType)
export class TicketTypesResolver {
  constructor(private readonly queries: EventsQueryService) {}

  /** Federation: a draft's ticket types resolve for its organizer and admins only (null otherwise). */
  @Public()
  @ResolveReference()
  async resolveReference(
    @Parent() reference: { __typename: string; id: string },
    @Context() context: GraphqlRequestContext,
  ) {
    return this.queries.findTicketType(reference.id, await userFromContext(context));
  }

  /** The organizer's own pricing bounds (a DEMAND floor and ceiling): for them and admins only. */
  @Public()
  @ResolveField('pricing', () => TicketPricingPolicy, { nullable: true })
  async pricing(
    @Parent() type: TicketType,
    @Context() context: GraphqlRequestContext,
  ): Promise<TicketPricingPolicy | null> {
    const user = await userFromContext(context);
    if (!user) return null;
    if (user.role === 'ADMIN') return type.pricing;
    const event = await this.queries.findVisible(type.eventId, user);
    return event?.organizerId === user.id ? type.pricing : null;
  }
}
