import { Field, ObjectType } from '@nestjs/graphql';
import { User } from '../../users/models/user.model';

/**
 * The answer to signUp, signIn and refreshSession. The session itself travels in HttpOnly cookies; the
 * access token is also returned for clients that send `Authorization: Bearer` (scanner devices, scripts).
 * The refresh token is never in the body.
 */
@ObjectType()
export class AuthPayload {
  @Field(() => User)
  user!: User;

  @Field()
  accessToken!: string;

  @Field()
  accessTokenExpiresAt!: Date;
}
