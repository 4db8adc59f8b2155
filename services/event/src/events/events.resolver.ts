import {
  Args,
  Context,
  ID,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
  ResolveReference,
} from '@nestjs/graphql';
import {
  CurrentUser,
  Public,
  Roles,
  userFromContext,
  type AuthUser,
  type GraphqlRequestContext,
} from '@ticketing/platform';
import { CreateEventInput } from './dto/create-event.input';
import { EventsFilterInput } from './dto/events-filter.input';
import { TicketTypeInput } from './dto/ticket-type.input';
import { UpdateEventInput } from './dto/update-event.input';
import { UpdateTicketTypeInput } from './dto/update-ticket-type.input';
import { EventViewsService } from './event-views.service';
import type { EventView } from './event-view';
import { EventsQueryService } from './events-query.service';
import { EventsService } from './events.service';
import { Event, EventConnection, EventStaffMember } from './models/event.model';

@Resolver(() => Event)
export class EventsResolver {
  constructor(
    private readonly writes: EventsService,
    private readonly queries: EventsQueryService,
    private readonly views: EventViewsService,
  ) {}

  @Public()
  @Query(() => EventConnection, { description: 'Published events that have not ended, by start time.' })
  events(
    // Typed as the class alone (not `| undefined`): the validation pipe checks an argument by its declared
    // class, and a union reflects as a plain Object, which it would let through unchecked.
    @Args('filter', { type: () => EventsFilterInput, nullable: true }) filter: EventsFilterInput,
    @Args('first', { type: () => Int, defaultValue: 20 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | undefined,
  ) {
    return this.queries.list(filter, first, after ?? undefined);
  }

  @Public()
  @Query(() => Event, { nullable: true, description: 'A public event, or a draft of your own.' })
  async event(@Args('id', { type: () => ID }) id: string, @CurrentUser() user: AuthUser | undefined) {
    const event = await this.queries.findVisible(id, user);
    if (event && event.status === 'PUBLISHED' && event.organizerId !== user?.id) this.views.record(event.id);
    return event;
  }

  @Roles('ORGANIZER')
  @Query(() => [Event], { description: 'Your events, drafts included, newest first.' })
  myEvents(@CurrentUser() user: AuthUser) {
    return this.queries.mine(user);
  }

  @Query(() => [Event], {
    description:
      'Published events you are on the staff of (by account or by the email you were added with), by start ' +
      'time; your own events as organizer are in myEvents.',
  })
  myStaffEvents(@CurrentUser() user: AuthUser) {
    return this.queries.staffedBy(user);
  }

  @Roles('ORGANIZER')
  @Mutation(() => Event)
  createEvent(@Args('input') input: CreateEventInput, @CurrentUser() user: AuthUser) {
    return this.writes.create(user, input);
  }

  @Mutation(() => Event)
  updateEvent(
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateEventInput,
    @CurrentUser() user: AuthUser,
  ) {
    return this.writes.update(user, id, input);
  }

  @Mutation(() => Event, {
    description: 'Puts a draft on sale; needs a future start and at least one ticket type.',
  })
  publishEvent(@Args('id', { type: () => ID }) id: string, @CurrentUser() user: AuthUser) {
    return this.writes.publish(user, id);
  }

  @Mutation(() => Event)
  cancelEvent(
    @Args('id', { type: () => ID }) id: string,
    @Args('reason') reason: string,
    @CurrentUser() user: AuthUser,
  ) {
    return this.writes.cancel(user, id, reason);
  }

  @Mutation(() => Event, { description: 'Returns the event with the new ticket type last.' })
  addTicketType(
    @Args('eventId', { type: () => ID }) eventId: string,
    @Args('input') input: TicketTypeInput,
    @CurrentUser() user: AuthUser,
  ) {
    return this.writes.addTicketType(user, eventId, input);
  }

  @Mutation(() => Event)
  updateTicketType(
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateTicketTypeInput,
    @CurrentUser() user: AuthUser,
  ) {
    return this.writes.updateTicketType(user, id, input);
  }

  @Mutation(() => Event, {
    description: 'Venue staff who may scan for this event, by email (bound when that account exists).',
  })
  addEventStaff(
    @Args('eventId', { type: () => ID }) eventId: string,
    @Args('email') email: string,
    @CurrentUser() user: AuthUser,
  ) {
    return this.writes.addStaff(user, eventId, email);
  }

  @Mutation(() => Event)
  removeEventStaff(
    @Args('eventId', { type: () => ID }) eventId: string,
    @Args('email') email: string,
    @CurrentUser() user: AuthUser,
  ) {
    return this.writes.removeStaff(user, eventId, email);
  }

  /** Federation: guards do not run here, so visibility is checked with the caller from the context. */
  @Public()
  @ResolveReference()
  async resolveReference(
    @Parent() reference: { __typename: string; id: string },
    @Context() context: GraphqlRequestContext,
  ) {
    return this.queries.findVisible(reference.id, await userFromContext(context));
  }

  @Public()
  @ResolveField('staff', () => [EventStaffMember], {
    nullable: true,
    description: 'The organizer and admins only; null otherwise.',
  })
  async staff(@Parent() event: EventView, @Context() context: GraphqlRequestContext) {
    const user = await userFromContext(context);
    if (!user || (user.role !== 'ADMIN' && user.id !== event.organizerId)) return null;
    return event.staff ?? this.queries.staffOf(event.id, user);
  }
}
