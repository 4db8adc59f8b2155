import { Field, ID, InputType } from '@nestjs/graphql';
import { IsString, Matches } from 'class-validator';

@InputType()
export class CheckoutInput {
  @Field(() => ID)
  @IsString()
  @Matches(
    /^(?:[0-9a-fA-F]{24}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/,
    {
      message: 'reservationId must be a reservation id',
    },
  )
  reservationId!: string;

  @Field({
    description: "The payment provider's token (test provider: tok_success, tok_decline, tok_error).",
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{3,200}$/, { message: 'paymentToken must be a payment token' })
  paymentToken!: string;

  @Field({
    description: 'Client-chosen key (8-128 of A-Z a-z 0-9 _ -): retries with it return the first answer.',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{8,128}$/, { message: 'idempotencyKey must be 8 to 128 letters, digits, _ or -' })
  idempotencyKey!: string;
}
