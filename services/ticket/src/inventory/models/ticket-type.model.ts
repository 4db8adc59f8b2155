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
}
