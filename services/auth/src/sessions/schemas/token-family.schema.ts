import { Prop, Schema, SchemaFactory } from '@nestjs/mongoose';
import type { HydratedDocument } from 'mongoose';

/**
 * One sign-in session: a chain of refresh tokens, each replacing the previous one. Only SHA-256 hashes
 * of the tokens are stored. Presenting a hash from `usedHashes` means a token was replayed: the whole
 * family is revoked.
 */
@Schema({ collection: 'refresh_token_families', versionKey: false })
export class TokenFamily {
  @Prop({ type: String, required: true })
  _id!: string;

  @Prop({ type: String, required: true, index: true })
  userId!: string;

  /** Hash of the one refresh token that may be used next. */
  @Prop({ type: String, required: true, unique: true })
  currentHash!: string;

  /** Hashes of tokens already exchanged (bounded by the session's absolute lifetime). */
  @Prop({ type: [String], default: [], index: true })
  usedHashes!: string[];

  /** Number of rotations so far. */
  @Prop({ type: Number, required: true, default: 0 })
  generation!: number;

  /** The current token stops working at this instant (sliding: moved forward on every rotation). */
  @Prop({ type: Date, required: true })
  expiresAt!: Date;

  /** The session ends at this instant whatever happens (never moved). */
  @Prop({ type: Date, required: true })
  absoluteExpiresAt!: Date;

  /** Indexed: the revocation repair loop reads the sessions ended in the last access-token lifetime. */
  @Prop({ type: Date, default: null, index: true })
  revokedAt!: Date | null;

  @Prop({ type: String, default: null })
  revokedReason!: string | null;

  @Prop({ type: Date, required: true })
  createdAt!: Date;

  @Prop({ type: Date, required: true })
  lastUsedAt!: Date;

  /**
   * The hour (since the epoch) from which this session may be purged: a day after it ended (expired or
   * revoked). Every write that extends or ends the session sets it.
   */
  @Prop({ type: Number, required: true, index: true })
  purgeHour!: number;
}

export type TokenFamilyDocument = HydratedDocument<TokenFamily>;
export const TokenFamilySchema = SchemaFactory.createForClass(TokenFamily);
