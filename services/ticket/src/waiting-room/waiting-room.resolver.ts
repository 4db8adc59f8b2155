import { Args, ID, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { CurrentUser, EventStaff, type AuthUser } from '@ticketing/platform';
import { SetWaitingRoomInput } from './dto/set-waiting-room.input';
import { WaitingRoom, WaitingRoomStatus } from './models/waiting-room.model';
import { WaitingRoomService } from './waiting-room.service';

@Resolver(() => WaitingRoomStatus)
export class WaitingRoomResolver {
  constructor(private readonly room: WaitingRoomService) {}

  @EventStaff({ eventIdArg: 'eventId', organizerOnly: true })
  @Mutation(() => WaitingRoom, {
    description: "Switches an event's waiting room on or off and tunes it (its organizer and ADMIN).",
  })
  setWaitingRoom(
    @CurrentUser() user: AuthUser,
    @Args('eventId', { type: () => ID }) eventId: string,
    @Args('input') input: SetWaitingRoomInput,
  ): Promise<WaitingRoom> {
    return this.room.configure(user, eventId, input);
  }

  @EventStaff({ eventIdArg: 'eventId', organizerOnly: true })
  @Query(() => WaitingRoom, {
    description:
      "An event's waiting room: settings, queue length, admission limit and rate (organizer, ADMIN).",
  })
  waitingRoom(@Args('eventId', { type: () => ID }) eventId: string): Promise<WaitingRoom> {
    return this.room.view(eventId);
  }

  @Mutation(() => WaitingRoomStatus, {
    description:
      "Takes a place in the event's waiting room (joining again keeps it); NOT_NEEDED when the room is off.",
  })
  joinWaitingRoom(
    @CurrentUser() user: AuthUser,
    @Args('eventId', { type: () => ID }) eventId: string,
  ): Promise<WaitingRoomStatus> {
    return this.room.join(user, eventId);
  }

  @Query(() => WaitingRoomStatus, {
    description: "The caller's place or admission in the event's waiting room.",
  })
  waitingRoomStatus(
    @CurrentUser() user: AuthUser,
    @Args('eventId', { type: () => ID }) eventId: string,
  ): Promise<WaitingRoomStatus> {
    return this.room.status(user, eventId);
  }

  @Subscription(() => WaitingRoomStatus, {
    description: "The caller's waitingRoomStatus now and whenever it changes (position, admission).",
  })
  waitingRoomUpdated(
    @CurrentUser() user: AuthUser,
    @Args('eventId', { type: () => ID }) eventId: string,
  ): AsyncGenerator<{ waitingRoomUpdated: WaitingRoomStatus }> {
    return this.room.updates(user, eventId);
  }
}
