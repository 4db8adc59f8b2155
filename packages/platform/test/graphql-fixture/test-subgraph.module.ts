import { ConflictException, ForbiddenException, Module, NotFoundException } from '@nestjs/common';
import {
  Args,
  Directive,
  Field,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  ResolveField,
  Resolver,
  ResolveReference,
  Subscription,
} from '@nestjs/graphql';
import { IsEmail, Length, Max, Min } from 'class-validator';
import {
  assertCanRead,
  CurrentUser,
  EVENT_ACCESS,
  EventStaff,
  Public,
  Roles,
  userFromContext,
  type AuthUser,
  type EventAccess,
  type GraphqlRequestContext,
} from '../../src';

/** How often each resolver ran: the protections must stop documents before any of these move. */
export const calls = { probe: 0, me: 0, register: 0, boom: 0, ticketRef: 0, probeUpdates: 0 };

export function resetCalls(): void {
  for (const key of Object.keys(calls) as (keyof typeof calls)[]) calls[key] = 0;
}

@ObjectType()
class Viewer {
  @Field(() => ID) id!: string;
  @Field() email!: string;
  @Field() role!: string;
  @Field() name!: string;
}

@ObjectType()
class PublicInfo {
  @Field(() => ID, { nullable: true }) viewerId!: string | null;
}

@ObjectType()
export class Probe {
  @Field() message!: string;
  @Field(() => Probe, { nullable: true }) child?: Probe;
}

@ObjectType()
@Directive('@key(fields: "id")')
class Ticket {
  @Field(() => ID) id!: string;
  @Field(() => ID) ownerId!: string;
}

@InputType()
class RegisterInput {
  @Field() @IsEmail() email!: string;
  @Field() @Length(1, 50) name!: string;
  @Field(() => Int) @Min(1) @Max(10) quantity!: number;
}

const TICKETS: Record<string, Ticket> = { 'tkt-1': { id: 'tkt-1', ownerId: 'user-1' } };

@Resolver(() => Probe)
@Public()
class ProbeResolver {
  @Query(() => Probe)
  probe(): Probe {
    calls.probe += 1;
    return { message: 'ok' };
  }

  @ResolveField(() => Probe, { nullable: true })
  child(): Probe {
    return { message: 'deeper' };
  }

  @Subscription(() => Probe)
  async *probeUpdates(): AsyncGenerator<{ probeUpdates: Probe }> {
    calls.probeUpdates += 1;
    yield { probeUpdates: { message: 'update' } };
  }
}

@Resolver()
class AccountResolver {
  @Query(() => Viewer)
  me(@CurrentUser() user: AuthUser): Viewer {
    calls.me += 1;
    return user;
  }

  @Public()
  @Query(() => PublicInfo)
  publicInfo(@CurrentUser() user: AuthUser | undefined): PublicInfo {
    return { viewerId: user?.id ?? null };
  }

  @Roles('ORGANIZER')
  @Query(() => Int)
  organizerStats(): number {
    return 42;
  }

  @EventStaff({ eventIdArg: 'eventId', organizerOnly: true })
  @Query(() => String)
  eventDashboard(@Args('eventId', { type: () => ID }) eventId: string): string {
    return `dashboard:${eventId}`;
  }

  @EventStaff({ eventIdArg: 'eventId' })
  @Query(() => String)
  eventGate(@Args('eventId', { type: () => ID }) eventId: string): string {
    return `gate:${eventId}`;
  }

  @Public()
  @Mutation(() => Int)
  register(@Args('input') input: RegisterInput): number {
    if (!(input instanceof RegisterInput)) throw new Error('input was not transformed into its class');
    calls.register += 1;
    return input.quantity;
  }

  @Public()
  @Query(() => String)
  boom(): string {
    calls.boom += 1;
    throw new Error('connection string mongodb://admin:hunter2@db leaked');
  }

  @Public()
  @Query(() => String)
  httpError(@Args('kind') kind: string): string {
    if (kind === 'notFound') throw new NotFoundException('Event not found');
    if (kind === 'conflict')
      throw new ConflictException({ message: 'Seat already taken', field: 'input.seat' });
    throw new ForbiddenException();
  }

  @Subscription(() => Int)
  async *ticks(): AsyncGenerator<{ ticks: number }> {
    yield { ticks: 1 };
    yield { ticks: 2 };
  }
}

@Resolver(() => Ticket)
class TicketResolver {
  @Query(() => Ticket, { nullable: true })
  ticket(@Args('id', { type: () => ID }) id: string, @CurrentUser() user: AuthUser): Ticket | null {
    const ticket = TICKETS[id];
    return ticket && (ticket.ownerId === user.id || user.role === 'ADMIN') ? ticket : null;
  }

  // No parameter decorators here: Nest then passes @apollo/subgraph's (reference, context) as they are.
  @ResolveReference()
  async resolveReference(reference: { id: string }, context: GraphqlRequestContext): Promise<Ticket | null> {
    calls.ticketRef += 1;
    const ticket = TICKETS[reference.id];
    if (!ticket) return null;
    const user = await userFromContext(context);
    await assertCanRead(user, (viewer) => viewer.role === 'ADMIN' || viewer.id === ticket.ownerId);
    return ticket;
  }
}

/** Organizer of evt-1 is org-1, its staff is staff-1. */
class InMemoryEventAccess implements EventAccess {
  async isOrganizer(userId: string, eventId: string): Promise<boolean> {
    return eventId === 'evt-1' && userId === 'org-1';
  }
  async isStaff(userId: string, eventId: string): Promise<boolean> {
    return eventId === 'evt-1' && userId === 'staff-1';
  }
}

@Module({
  providers: [
    ProbeResolver,
    AccountResolver,
    TicketResolver,
    { provide: EVENT_ACCESS, useClass: InMemoryEventAccess },
  ],
})
export class TestFeatureModule {}
