import { Directive, Field, ID, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'Stock of a ticket type right now.' })
export class TicketAvailability {
  @Field(() => Int)
  capacity!: number;

  @Field(() => Int, { description: 'Units that can still be reserved.' })
  remaining!: number;

  @Field(() => Int, { description: 'Units held by unpaid reservations.' })
  held!: number;

  @Field(() => Int)
  sold!: number;
}

/** The event service's ticket type, extended with its availability. */
@ObjectType()
@Directive('@key(fields: "id")')
export class TicketType {
  @Field(() => ID)
  id!: string;

  @Field(() => TicketAvailability, {
    nullable: true,
    description: 'Null until the ticket service knows the type.',
  })
  availability?: TicketAvailability | null;

  @Field(() => Int, {
    nullable: true,
    description:
      "How many more of this type the caller may still reserve under the per-buyer limits (the type's and the " +
      "event's, counting what they hold or bought); null when signed out or the type is not on sale here.",
  })
  myAllowance?: number | null;
}
