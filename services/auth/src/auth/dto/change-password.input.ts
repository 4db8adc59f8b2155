import { Field, InputType } from '@nestjs/graphql';
import { IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy';

@InputType()
export class ChangePasswordInput {
  @Field()
  @IsString()
  @MaxLength(1024)
  currentPassword!: string;

  @Field({ description: '12 to 256 characters; very common passwords are refused.' })
  @IsString()
  @MaxLength(1024, { message: `Password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  newPassword!: string;
}
