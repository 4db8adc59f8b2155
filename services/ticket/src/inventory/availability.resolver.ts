import { Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { Public } from '@ticketing/platform';
import { AvailabilityService } from './availability.service';
import { TicketAvailability, TicketType } from './models/ticket-type.model';

/** `TicketType.availability`: public, like the event listing it decorates. */
@Resolver(() => TicketType)
export class AvailabilityResolver {
  constructor(private readonly availabilityService: AvailabilityService) {}

  @Public()
  @ResolveReference()
  resolveReference(@Parent() reference: { __typename: string; id: string }): TicketType {
    return { id: reference.id };
  }

  @Public()
  @ResolveField(() => TicketAvailability, { nullable: true })
  availability(@Parent() type: TicketType): Promise<TicketAvailability | null> {
    return this.availabilityService.get(type.id);
  }
}
