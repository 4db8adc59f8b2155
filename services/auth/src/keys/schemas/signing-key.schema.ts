import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';

/**
 * Development/test only: a generated signing key shared by every replica through Mongo. In production
 * the keys come from the `AUTH_SIGNING_KEYS` Secret and this collection is not used.
 */
@Schema({ collection: 'signing_keys', versionKey: false })
export class SigningKeyRecord {
  /** The key id (`kid`). */
  @Prop({ type: String, required: true })
  _id!: string;

  /** The private JWK. */
  @Prop({ type: Object, required: true })
  jwk!: Record<string, unknown>;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  /** From this instant the key signs. It is published before, so verifiers know it when it starts. */
  @Prop({ type: Date, required: true, index: true })
  activeFrom!: Date;
}

export type SigningKeyDocument = HydratedDocument<SigningKeyRecord>;
export const SigningKeySchema = SchemaFactory.createForClass(SigningKeyRecord);
