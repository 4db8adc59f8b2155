import { Directive, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Money } from '../../common/money.model';

export enum OrderStatusEnum {
  PENDING = 'PENDING',
  PAYMENT_FAILED = 'PAYMENT_FAILED',
  PAYMENT_CAPTURED = 'PAYMENT_CAPTURED',
  CONFIRMED = 'CONFIRMED',
  ABANDONED = 'ABANDONED',
  /** The event was cancelled after payment: tickets revoked, the refund under way. */
  REFUNDING = 'REFUNDING',
  /** The event was cancelled after payment: tickets revoked, the charge refunded. */
  REFUNDED = 'REFUNDED',
}
registerEnumType(OrderStatusEnum, { name: 'OrderStatus' });

@ObjectType()
export class OrderLine {
  @Field(() => ID)
  ticketTypeId!: string;

  @Field()
  ticketTypeName!: string;

  @Field(() => Int)
  quantity!: number;

  @Field(() => [String])
  seatIds!: string[];

  @Field(() => Money)
  unitPrice!: Money;
}

@ObjectType({ description: 'A purchase. Visible to its buyer (and ADMIN) only.' })
@Directive('@key(fields: "id")')
export class Order {
  @Field(() => ID)
  id!: string;

  @Field(() => OrderStatusEnum)
  status!: OrderStatusEnum;

  @Field(() => ID)
  reservationId!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => [OrderLine])
  lines!: OrderLine[];

  @Field(() => Money)
  total!: Money;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  confirmedAt!: Date | null;

  /** Internal: the buyer, for the nested-field authorization. */
  buyerId!: string;
}
