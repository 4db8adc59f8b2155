import { Int, Parent, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import { type AuthUser, CurrentUser, Public } from '@ticketing/platform';
import { CatalogService } from '../catalog/catalog.service';
import { AvailabilityService } from './availability.service';
import { InventoryService } from './inventory.service';
import { TicketAvailability, TicketType } from './models/ticket-type.model';

/** `TicketType.availability` and `takenSeats`: public, like the event listing they decorate. */
@Resolver(() => TicketType)
export class AvailabilityResolver {
  constructor(
    private readonly availabilityService: AvailabilityService,
    private readonly inventory: InventoryService,
    private readonly catalog: CatalogService,
  ) {}

  @Public()
  @ResolveReference()
  resolveReference(@Parent() reference: { __typename: string; id: unknown }): TicketType | null {
    // A representation is any JSON a caller of the subgraph sends: an id that is not a string names no type.
    return typeof reference.id === 'string' ? { id: reference.id } : null;
  }

  @Public()
  @ResolveField(() => TicketAvailability, { nullable: true })
  availability(@Parent() type: TicketType): Promise<TicketAvailability | null> {
    return this.availabilityService.get(type.id);
  }

  /** The caller's own allowance (no one else's counts are reachable: the buyer is always the caller). */
  @Public()
  @ResolveField(() => Int, { nullable: true })
  myAllowance(
    @Parent() type: TicketType,
    @CurrentUser() user: AuthUser | undefined,
  ): Promise<number | null> | null {
    return user ? this.inventory.allowanceOf(user.id, type.id) : null;
  }

  /** Seat ids only (no holder, reservation or order): the seat picker greys them out. */
  @Public()
  @ResolveField(() => [String], {
    description:
      'Reserved seating: seats sold or held right now (published events; empty for general admission).',
  })
  async takenSeats(@Parent() type: TicketType): Promise<string[]> {
    const replica = await this.catalog.findTicketType(type.id);
    if (!replica || replica.kind !== 'RESERVED') return [];
    const event = await this.catalog.findEvent(replica.eventId);
    if (event?.status !== 'PUBLISHED') return [];
    return this.inventory.takenSeats(type.id);
  }
}
