import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';

/**
 * A refresh token that has been exchanged, keyed by its SHA-256. Inserting it is how a rotation claims
 * the token: the unique `_id` lets exactly one of several parallel refreshes win, on any
 * MongoDB-compatible server (the local one does not make guarded updates atomic; inserts of one `_id`
 * are). Later replays are caught by the family's `usedHashes`; records go after a day.
 */
@Schema({ collection: 'refresh_token_spent', versionKey: false })
export class SpentRefreshToken {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true })
  familyId!: string;

  @Prop({ type: Date, required: true })
  spentAt!: Date;

  /** The hour (since the epoch) from which this claim may be purged. */
  @Prop({ type: Number, required: true, index: true })
  purgeHour!: number;
}

export const SpentRefreshTokenSchema = SchemaFactory.createForClass(SpentRefreshToken);
