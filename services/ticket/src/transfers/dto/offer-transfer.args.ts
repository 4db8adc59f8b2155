import { ArgsType, Field, ID } from '@nestjs/graphql';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';

@ArgsType()
export class OfferTransferArgs {
  @Field(() => ID)
  @IsString()
  @Matches(/^[0-9a-fA-F]{24}$/, { message: 'ticketId must be a ticket id' })
  ticketId!: string;

  /** Spaces around a pasted address are not part of it (sign-up and staff emails are trimmed too). */
  @Field()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'toEmail must be an email address' })
  toEmail!: string;
}
