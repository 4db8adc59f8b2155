import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Money } from '../../common/money.model';

export enum ReservationStatusEnum {
  HELD = 'HELD',
  PAYING = 'PAYING',
  CONVERTED = 'CONVERTED',
  EXPIRED = 'EXPIRED',
  RELEASED = 'RELEASED',
}
registerEnumType(ReservationStatusEnum, { name: 'ReservationStatus' });

@ObjectType()
export class ReservationLine {
  @Field(() => ID)
  ticketTypeId!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => [String], { description: 'Reserved seating: the held seats; empty for general admission.' })
  seatIds!: string[];

  @Field(() => Money)
  unitPrice!: Money;
}

@ObjectType({ description: 'Stock held for the signed-in buyer at a locked price until `expiresAt`.' })
export class Reservation {
  @Field(() => ID)
  id!: string;

  @Field(() => ReservationStatusEnum)
  status!: ReservationStatusEnum;

  @Field(() => ID)
  eventId!: string;

  @Field()
  expiresAt!: Date;

  @Field(() => Money, { description: 'The quoted price per unit, locked for this hold.' })
  unitPrice!: Money;

  @Field(() => Money)
  total!: Money;

  @Field(() => [ReservationLine])
  lines!: ReservationLine[];

  @Field(() => ID, { nullable: true, description: 'The order that bought it, once converted.' })
  orderId!: string | null;
}
