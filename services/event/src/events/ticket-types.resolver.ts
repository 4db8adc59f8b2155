import { Context, Parent, Resolver, ResolveReference } from '@nestjs/graphql';
import { Public, userFromContext, type GraphqlRequestContext } from '@ticketing/platform';
import { EventsQueryService } from './events-query.service';
import { TicketType } from './models/ticket-type.model';

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
}
