import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, type AuthUser } from '@ticketing/platform';
import { ReserveTicketsInput } from './dto/reserve-tickets.input';
import { Reservation } from './models/reservation.model';
import { toReservation } from './reservation.mapper';
import { ReservationsService } from './reservations.service';
import { WaitingRoomService } from '../waiting-room/waiting-room.service';

@Resolver(() => Reservation)
export class ReservationsResolver {
  constructor(
    private readonly reservations: ReservationsService,
    private readonly waitingRoom: WaitingRoomService,
  ) {}

  @Mutation(() => Reservation, {
    description:
      'Holds tickets for the signed-in buyer at the current price. While the event has an active waiting room, ' +
      'needs `input.admissionPass` (from joinWaitingRoom / waitingRoomStatus), else ADMISSION_REQUIRED.',
  })
  async reserveTickets(
    @CurrentUser() user: AuthUser,
    @Args('input') input: ReserveTicketsInput,
  ): Promise<Reservation> {
    // The waiting room's pass check wraps the reservation (it does nothing when the room is off).
    const doc = await this.waitingRoom.guardReserve(user, input.ticketTypeId, input.admissionPass, () =>
      this.reservations.reserve(user, input),
    );
    return toReservation(doc);
  }

  @Mutation(() => Reservation, { description: 'Gives a hold back before it expires.' })
  async releaseReservation(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<Reservation> {
    return toReservation(await this.reservations.release(user, id));
  }

  @Query(() => Reservation, { description: "One of the signed-in buyer's reservations." })
  async reservation(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<Reservation> {
    return toReservation(await this.reservations.findForBuyer(user, id));
  }

  @Query(() => [Reservation], { description: "The signed-in buyer's recent reservations, newest first." })
  async myReservations(@CurrentUser() user: AuthUser): Promise<Reservation[]> {
    return (await this.reservations.listForBuyer(user)).map(toReservation);
  }
}
