import { Directive, Field, ID, ObjectType } from '@nestjs/graphql';
import { UserRole } from './user-role.enum';

/**
 * An account, shared across subgraphs by its id. Any signed-in user may read `id` and `name` (other
 * subgraphs show a ticket holder's name); `email` and `role` only the account itself or an admin.
 */
@ObjectType({ description: 'A person with an account.' })
@Directive('@key(fields: "id")')
export class User {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'Visible to the account itself and to admins only.' })
  email!: string;

  @Field(() => UserRole, { nullable: true, description: 'Visible to the account itself and to admins only.' })
  role!: UserRole;

  @Field()
  createdAt!: Date;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Whether an admin has locked the account (lockAccount). Visible to admins only.',
  })
  locked!: boolean;

  /**
   * Not in the schema: set when the object is handed to the account's own new session (signUp,
   * signIn, refreshSession answer before the caller has an access token to prove who it is).
   */
  ownSession?: boolean;
}
