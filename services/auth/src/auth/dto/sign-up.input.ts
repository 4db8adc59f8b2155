import { Field, InputType } from '@nestjs/graphql';
import { IsEnum, IsString, MaxLength } from 'class-validator';
import { SignUpRole } from '../../users/models/user-role.enum';

// Lengths here only bound the work done on absurd input; the precise rules (email shape, password
// policy, name) are checked by AuthService so that each answers with its own message and field.
@InputType()
export class SignUpInput {
  @Field()
  @IsString()
  @MaxLength(1024)
  email!: string;

  @Field({ description: '12 to 256 characters; very common passwords are refused.' })
  @IsString()
  @MaxLength(1024)
  password!: string;

  @Field()
  @IsString()
  @MaxLength(1024)
  name!: string;

  @Field(() => SignUpRole, { defaultValue: SignUpRole.ATTENDEE })
  @IsEnum(SignUpRole)
  role: SignUpRole = SignUpRole.ATTENDEE;
}
