import { Directive, Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'An amount in integer minor units (cents) of an ISO 4217 currency.' })
@Directive('@shareable')
export class Money {
  @Field(() => Int)
  amount!: number;

  @Field()
  currency!: string;
}

@ObjectType({
  description:
    'A sum of many amounts (a revenue), in integer minor units of an ISO 4217 currency. `amount` is a Float ' +
    'because such sums pass what a GraphQL Int holds; it is always a whole number.',
})
export class MoneyTotal {
  @Field(() => Float)
  amount!: number;

  @Field()
  currency!: string;
}
