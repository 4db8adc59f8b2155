import { Directive, Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { EventCategory, EventStatus } from '../domain/event.types';
import { EventCategoryEnum, EventStatusEnum } from './enums';
import { TicketType } from './ticket-type.model';
import { Venue } from './venue.model';

@ObjectType()
export class TransferPolicy {
  @Field()
  allowed!: boolean;

  @Field(() => Date, { nullable: true })
  deadline?: Date | null;
}

@ObjectType()
export class EventStaffMember {
  @Field(() => ID, { nullable: true, description: 'Null until an account with this email registers.' })
  userId!: string | null;

  @Field()
  email!: string;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => Date)
  addedAt!: Date;
}

@ObjectType()
@Directive('@key(fields: "id")')
export class Event {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  organizerId!: string;

  @Field()
  title!: string;

  @Field()
  description!: string;

  @Field(() => EventCategoryEnum)
  category!: EventCategory;

  @Field(() => Venue)
  venue!: Venue;

  @Field(() => Date, { description: 'UTC instant.' })
  startsAt!: Date;

  @Field(() => Date, { description: 'UTC instant.' })
  endsAt!: Date;

  @Field({ description: 'IANA time zone the event takes place in, e.g. Europe/Paris.' })
  timeZone!: string;

  @Field(() => EventStatusEnum)
  status!: EventStatus;

  @Field(() => Date, { nullable: true })
  salesStartAt?: Date | null;

  @Field(() => Date, { nullable: true })
  salesEndAt?: Date | null;

  @Field(() => TransferPolicy)
  transferPolicy!: TransferPolicy;

  @Field(() => Int, {
    nullable: true,
    description:
      'Most tickets of this event one buyer may hold, across all its ticket types; null: only the per-type limits.',
  })
  perBuyerMax?: number | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When the gates open; null: the check-in default (2 hours before the start).',
  })
  doorsOpenAt?: Date | null;

  @Field(() => Boolean, { description: 'Whether ticket holders may leave and come back in.' })
  allowReentry!: boolean;

  @Field(() => [TicketType])
  ticketTypes!: TicketType[];

  @Field(() => String, { nullable: true })
  cancelReason?: string | null;

  @Field(() => Date, { nullable: true })
  publishedAt?: Date | null;

  @Field(() => Int, { description: 'Increases with every change.' })
  version!: number;

  /** Resolved by a field resolver: the organizer and admins only. */
  staff?: EventStaffMember[];
}

@ObjectType()
export class EventEdge {
  @Field()
  cursor!: string;

  @Field(() => Event)
  node!: Event;
}

@ObjectType()
export class EventsPageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class EventConnection {
  @Field(() => [EventEdge])
  edges!: EventEdge[];

  @Field(() => EventsPageInfo)
  pageInfo!: EventsPageInfo;
}
