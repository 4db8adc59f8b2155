import { Args, Context, ID, Parent, Query, ResolveField, Resolver, ResolveReference } from '@nestjs/graphql';
import {
  CurrentUser,
  EventStaff,
  Public,
  userFromContext,
  type AuthUser,
  type GraphqlRequestContext,
} from '@ticketing/platform';
import QRCode from 'qrcode';
import { Ticket, TicketDisplayCode, TicketRevocation, TicketVerificationKey } from './models/ticket.model';
import { toTicket } from './ticket.mapper';
import { TicketKeysService } from './ticket-keys.service';
import { TicketsService } from './tickets.service';

@Resolver(() => Ticket)
export class TicketsResolver {
  constructor(
    private readonly tickets: TicketsService,
    private readonly keys: TicketKeysService,
  ) {}

  @Query(() => [Ticket], { description: 'Tickets the signed-in user holds.' })
  async myTickets(@CurrentUser() user: AuthUser): Promise<Ticket[]> {
    return (await this.tickets.listHeld(user)).map(toTicket);
  }

  @Query(() => Ticket, { description: "A ticket: its holder, the event's organizer or ADMIN." })
  async ticket(@CurrentUser() user: AuthUser, @Args('id', { type: () => ID }) id: string): Promise<Ticket> {
    return toTicket(await this.tickets.findReadable(user, id));
  }

  @Query(() => TicketDisplayCode, {
    description: 'The rotating entry code of a ticket the signed-in user holds.',
  })
  async ticketDisplayCode(
    @CurrentUser() user: AuthUser,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<TicketDisplayCode> {
    const ticket = await this.tickets.findHeld(user, id);
    return this.tickets.displayCode(ticket);
  }

  @Public()
  @Query(() => [TicketVerificationKey], { description: 'Public keys that verify ticket QR tokens offline.' })
  ticketVerificationKeys(): TicketVerificationKey[] {
    return this.keys.publicKeys().map((k) => ({ kid: k.kid, kty: k.kty!, crv: k.crv!, x: k.x!, alg: k.alg }));
  }

  @EventStaff({ eventIdArg: 'eventId' })
  @Query(() => [TicketRevocation], {
    description: 'Revoked ticket generations of an event (its staff, organizer, ADMIN).',
  })
  async ticketRevocations(@Args('eventId', { type: () => ID }) eventId: string): Promise<TicketRevocation[]> {
    return this.tickets.revocations(eventId);
  }

  @Public()
  @ResolveReference()
  async resolveReference(
    @Parent() reference: { id: string },
    @Context() context: GraphqlRequestContext,
  ): Promise<Ticket | null> {
    const user = await userFromContext(context);
    const ticket = await this.tickets.findById(reference.id);
    if (!ticket || !(await this.tickets.canRead(user, ticket))) return null;
    return toTicket(ticket);
  }

  @ResolveField(() => String, {
    nullable: true,
    description: 'The signed QR token (holder only, valid tickets only).',
  })
  qrToken(@Parent() ticket: Ticket, @CurrentUser() user: AuthUser): string | null {
    return this.tokenFor(ticket, user);
  }

  @ResolveField(() => String, {
    nullable: true,
    description: 'The QR code as an SVG document (holder only).',
  })
  async qrSvg(@Parent() ticket: Ticket, @CurrentUser() user: AuthUser): Promise<string | null> {
    const token = this.tokenFor(ticket, user);
    return token ? QRCode.toString(token, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }) : null;
  }

  @ResolveField(() => String, { nullable: true, description: 'The QR code as a PNG data URL (holder only).' })
  async qrPngDataUrl(@Parent() ticket: Ticket, @CurrentUser() user: AuthUser): Promise<string | null> {
    const token = this.tokenFor(ticket, user);
    return token ? QRCode.toDataURL(token, { errorCorrectionLevel: 'M', margin: 2 }) : null;
  }

  private tokenFor(ticket: Ticket, user: AuthUser | undefined): string | null {
    if (!user || user.id !== ticket.holderId || ticket.status !== 'VALID') return null;
    return this.tickets.qrToken({
      _id: ticket.id,
      eventId: ticket.eventId,
      holderId: ticket.holderId,
      generation: ticket.generation,
    });
  }
}
