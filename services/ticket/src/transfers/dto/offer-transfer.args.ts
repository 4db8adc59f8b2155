import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';

@ArgsType()
export class OfferTransferArgs {
  @Field(() => ID)
  @IsString()
  @Matches(/^[0-9a-fA-F]{24}$/, { message: 'ticketId must be a ticket id' })
  ticketId!: string;

  @Field()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'toEmail must be an email address' })
  toEmail!: string;
}
