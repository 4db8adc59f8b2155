import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { InjectConfig } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../config';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from './refresh-token';
import { TokenFamily } from './schemas/token-family.schema';

export interface IssuedRefreshToken {
  familyId: string;
  userId: string;
  /** The raw token: goes into the cookie, never into storage. */
  token: string;
  expiresAt: Date;
}

/** Why a refresh token was refused; every case answers UNAUTHENTICATED to the client. */
export type RotationFailure = 'malformed' | 'unknown-or-expired' | 'reused';

export type RotationResult =
  { ok: true; issued: IssuedRefreshToken } | { ok: false; reason: RotationFailure };

const MIN_DATE = (a: Date, b: Date): Date => (a.getTime() <= b.getTime() ? a : b);

/** Refresh-token families: start, rotate (with replay detection), revoke. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    @InjectModel(TokenFamily.name) private readonly families: Model<TokenFamily>,
    @InjectConfig() private readonly config: AuthConfig,
  ) {}

  /** Opens a new session for a user and returns its first refresh token. */
  async start(userId: string): Promise<IssuedRefreshToken> {
    const now = new Date();
    const token = newRefreshToken();
    const absoluteExpiresAt = new Date(now.getTime() + this.config.SESSION_MAX_AGE_SECONDS * 1000);
    const expiresAt = MIN_DATE(
      new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
      absoluteExpiresAt,
    );
    const familyId = randomUUID();
    await this.families.create({
      _id: familyId,
      userId,
      currentHash: hashRefreshToken(token),
      usedHashes: [],
      generation: 0,
      expiresAt,
      absoluteExpiresAt,
      revokedAt: null,
      revokedReason: null,
      createdAt: now,
      lastUsedAt: now,
    });
    return { familyId, userId, token, expiresAt };
  }

  /**
   * Exchanges a refresh token for the next one. One guarded `findOneAndUpdate` decides: of two parallel
   * calls with the same token only one can match `currentHash`; the other then finds the token among the
   * used ones and revokes the family (a replay is indistinguishable from a theft).
   */
  async rotate(token: unknown): Promise<RotationResult> {
    if (!looksLikeRefreshToken(token)) return { ok: false, reason: 'malformed' };
    const presented = hashRefreshToken(token);
    const now = new Date();
    const next = newRefreshToken();

    const expiresAt = new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    const rotated = await this.families
      .findOneAndUpdate(
        {
          currentHash: presented,
          revokedAt: null,
          expiresAt: { $gt: now },
          absoluteExpiresAt: { $gt: now },
        },
        {
          $set: { currentHash: hashRefreshToken(next), expiresAt, lastUsedAt: now },
          $push: { usedHashes: presented },
          $inc: { generation: 1 },
        },
        { returnDocument: 'after' },
      )
      .lean()
      .exec();
    if (rotated !== null) {
      const effective = MIN_DATE(expiresAt, rotated.absoluteExpiresAt);
      return {
        ok: true,
        issued: { familyId: rotated._id, userId: rotated.userId, token: next, expiresAt: effective },
      };
    }

    const replayed = await this.families
      .findOneAndUpdate(
        { usedHashes: presented, revokedAt: null },
        { $set: { revokedAt: now, revokedReason: 'refresh-token-reuse' } },
        { returnDocument: 'after' },
      )
      .lean()
      .exec();
    if (replayed !== null) {
      this.logger.warn(`refresh token reused: revoked session ${replayed._id} of user ${replayed.userId}`);
      return { ok: false, reason: 'reused' };
    }
    const alreadyRevoked = await this.families.exists({ usedHashes: presented }).exec();
    return { ok: false, reason: alreadyRevoked ? 'reused' : 'unknown-or-expired' };
  }

  /** The live session a refresh token belongs to, if any. */
  async familyOf(token: unknown): Promise<{ id: string; userId: string } | null> {
    if (!looksLikeRefreshToken(token)) return null;
    const family = await this.families
      .findOne({ currentHash: hashRefreshToken(token), revokedAt: null }, { userId: 1 })
      .lean()
      .exec();
    return family === null ? null : { id: family._id, userId: family.userId };
  }

  /** Ends the session a refresh token (current or already rotated) belongs to. */
  async revokeByToken(token: unknown, reason = 'sign-out'): Promise<boolean> {
    if (!looksLikeRefreshToken(token)) return false;
    const presented = hashRefreshToken(token);
    const result = await this.families
      .updateOne(
        { $or: [{ currentHash: presented }, { usedHashes: presented }], revokedAt: null },
        { $set: { revokedAt: new Date(), revokedReason: reason } },
      )
      .exec();
    return result.modifiedCount > 0;
  }

  /** Ends every session of a user except `keepFamilyId` (after a password change). */
  async revokeAllForUser(userId: string, reason: string, keepFamilyId?: string): Promise<number> {
    const filter: Record<string, unknown> = { userId, revokedAt: null };
    if (keepFamilyId !== undefined) filter._id = { $ne: keepFamilyId };
    const result = await this.families
      .updateMany(filter, { $set: { revokedAt: new Date(), revokedReason: reason } })
      .exec();
    return result.modifiedCount;
  }

  /** Deletes sessions that ended more than a day ago (no TTL indexes in the supported Mongo subset). */
  async purgeEnded(now = new Date()): Promise<number> {
    const dayAgo = new Date(now.getTime() - 24 * 3600 * 1000);
    const result = await this.families
      .deleteMany({
        $or: [
          { absoluteExpiresAt: { $lt: dayAgo } },
          { expiresAt: { $lt: dayAgo } },
          { revokedAt: { $lt: dayAgo } },
        ],
      })
      .exec();
    return result.deletedCount;
  }
}
