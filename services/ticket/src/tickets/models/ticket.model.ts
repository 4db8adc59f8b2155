import { Directive, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum TicketStatusEnum {
  VALID = 'VALID',
  REVOKED = 'REVOKED',
}
registerEnumType(TicketStatusEnum, { name: 'TicketStatus' });

@ObjectType({
  description:
    'One admission. Readable by its holder, the event organizer and ADMIN; the QR only by the holder.',
})
@Directive('@key(fields: "id")')
export class Ticket {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => ID)
  ticketTypeId!: string;

  @Field()
  ticketTypeName!: string;

  @Field(() => String, { nullable: true })
  seatId!: string | null;

  @Field(() => ID)
  holderId!: string;

  @Field()
  holderName!: string;

  @Field(() => Int, { description: 'QR generation; a code of an older generation never admits.' })
  generation!: number;

  @Field(() => TicketStatusEnum)
  status!: TicketStatusEnum;

  @Field()
  checkedIn!: boolean;

  @Field(() => ID, { nullable: true })
  pendingTransferId!: string | null;

  @Field()
  issuedAt!: Date;
}

@ObjectType({
  description: 'The rotating anti-screenshot code (HMAC time step, see the ticket service README).',
})
export class TicketDisplayCode {
  @Field({ description: 'The 8 digits for this time step.' })
  code!: string;

  @Field({
    description:
      'What the app encodes for the scanner: D1.<ticketId>.<generation>.<code> (check-in verifies it).',
  })
  scanCode!: string;

  @Field()
  validFrom!: Date;

  @Field()
  validUntil!: Date;

  @Field(() => Int)
  stepSeconds!: number;
}

@ObjectType({ description: 'A public key verifying ticket QR tokens (JWK, Ed25519).' })
export class TicketVerificationKey {
  @Field()
  kid!: string;

  @Field()
  kty!: string;

  @Field()
  crv!: string;

  @Field()
  x!: string;

  @Field()
  alg!: string;
}

@ObjectType({ description: 'A ticket generation that no longer admits.' })
export class TicketRevocation {
  @Field(() => ID)
  ticketId!: string;

  @Field(() => Int, { description: 'Codes of this generation and older are revoked.' })
  generation!: number;

  @Field()
  reason!: string;

  @Field()
  revokedAt!: Date;
}
