import { Schema } from 'mongoose';

export const USER_MODEL = 'User';
export const USERS_COLLECTION = 'users';

/** Local replica of the accounts auth announces (`user.registered`), so staff lookups by email need no call. */
export interface UserReplica {
  _id: string;
  /** Lowercased. */
  email: string;
  name: string;
  aggregateVersion: number;
  registeredAt: Date;
}

export const UserSchema = new Schema<UserReplica>(
  {
    _id: { type: String, required: true },
    email: { type: String, required: true },
    name: { type: String, required: true },
    aggregateVersion: { type: Number, required: true },
    registeredAt: { type: Date, required: true },
  },
  { collection: USERS_COLLECTION, versionKey: false },
);

UserSchema.index({ email: 1 }, { unique: true });
