import { Field, InputType } from '@nestjs/graphql';
import { IsString, MaxLength } from 'class-validator';

@InputType()
export class SignInInput {
  @Field()
  @IsString()
  @MaxLength(1024)
  email!: string;

  @Field()
  @IsString()
  @MaxLength(1024)
  password!: string;
}
