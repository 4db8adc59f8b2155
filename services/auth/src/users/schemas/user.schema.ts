import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import { withOutbox, type OutboxFields } from '@ticketing/platform';
import type { HydratedDocument } from 'mongoose';
import { UserRole } from '../models/user-role.enum';

@Schema({ collection: 'users', timestamps: true, versionKey: false })
export class UserRecord {
  /** A UUID, assigned by the service. */
  @Prop({ type: String, required: true })
  _id!: string;

  /** Normalised (trimmed, lower-case); unique. */
  @Prop({ type: String, required: true, unique: true })
  email!: string;

  @Prop({ type: String, required: true })
  name!: string;

  @Prop({ type: String, required: true, enum: Object.values(UserRole) })
  role!: UserRole;

  /** argon2id PHC string. Never leaves the service. */
  @Prop({ type: String, required: true })
  passwordHash!: string;

  @Prop({ type: Date, required: true })
  passwordChangedAt!: Date;

  /** Set by an admin's lockAccount: the account cannot sign in and has no live session. */
  @Prop({ type: Date, default: null })
  lockedAt!: Date | null;

  /** Bumped by every change other services may care about. */
  @Prop({ type: Number, required: true, default: 1 })
  version!: number;

  createdAt!: Date;
  updatedAt!: Date;
}

export type UserDocument = HydratedDocument<UserRecord & OutboxFields>;
/** With the outbox: `user.registered` is queued in the same insert as the account. */
export const UserSchema = withOutbox(SchemaFactory.createForClass(UserRecord));
