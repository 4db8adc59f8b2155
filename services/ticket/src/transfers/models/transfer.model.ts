import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum TransferStatusEnum {
  PENDING = 'PENDING',
  /** Accepted; the ticket is being re-keyed (ends ACCEPTED, or CANCELLED with a reason). */
  ACCEPTING = 'ACCEPTING',
  ACCEPTED = 'ACCEPTED',
  DECLINED = 'DECLINED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(TransferStatusEnum, { name: 'TicketTransferStatus' });

@ObjectType({ description: 'An offer to hand a ticket to whoever signs in with `toEmail`.' })
export class TicketTransfer {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  ticketId!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  fromHolderId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The sender's name as on the ticket when it was offered (so the recipient knows who sends it). Null " +
      'only for an offer made before this was kept whose ticket has changed hands since.',
  })
  fromHolderName!: string | null;

  @Field(() => String, { nullable: true, description: "The offered ticket's type, e.g. Balcony." })
  ticketTypeName!: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'The offered seat (`<section>-<row>-<seat>`, as `Ticket.seatId`); null for general admission.',
  })
  seatId!: string | null;

  @Field()
  toEmail!: string;

  @Field(() => TransferStatusEnum)
  status!: TransferStatusEnum;

  @Field(() => Int, { description: 'The ticket generation offered.' })
  generation!: number;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  resolvedAt!: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Why it ended CANCELLED when its holder did not cancel it: EVENT_CANCELLED, TICKET_REVOKED, ' +
      'TICKET_CHECKED_IN, TICKET_CHANGED or DEADLINE_PASSED (not accepted before the transfer deadline).',
  })
  reason!: string | null;
}
