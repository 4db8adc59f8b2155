import { Field, InputType } from '@nestjs/graphql';
import { IsEnum, IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../../passwords/password-policy';
import { SignUpRole } from '../../users/models/user-role.enum';
import { NAME_MAX_LENGTH } from '../../users/person-name';

// Lengths here only bound the work done on absurd input, with the message of the precise rule the value
// breaks; the rules themselves (email shape, password policy, name) are checked by AuthService so that
// each answers with its own message and field.
@InputType()
export class SignUpInput {
  @Field()
  @IsString()
  @MaxLength(1024, { message: 'Enter a valid email address' })
  email!: string;

  @Field({ description: '12 to 256 characters; very common passwords are refused.' })
  @IsString()
  @MaxLength(1024, { message: `Password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  password!: string;

  @Field()
  @IsString()
  @MaxLength(1024, { message: `Name must be at most ${NAME_MAX_LENGTH} characters` })
  name!: string;

  @Field(() => SignUpRole, { defaultValue: SignUpRole.ATTENDEE })
  @IsEnum(SignUpRole)
  role: SignUpRole = SignUpRole.ATTENDEE;
}
