import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { deleteWholeHours, hourOf, InjectConfig, isDuplicateKeyError } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../config';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from './refresh-token';
import { SpentRefreshToken } from './schemas/spent-refresh-token.schema';
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
  | { ok: true; issued: IssuedRefreshToken }
  | {
      ok: false;
      reason: RotationFailure;
      /**
       * The session this call ended because its token was replayed (or lost a parallel refresh). The
       * caller must announce it (`SessionRevoker.announce`) so its access tokens are refused at once.
       */
      endedSessionId?: string;
    };

const MIN_DATE = (a: Date, b: Date): Date => (a.getTime() <= b.getTime() ? a : b);

/** Ended sessions and spent-token claims are kept this long after they end, then purged. */
const KEEP_AFTER_END_MS = 24 * 3600 * 1000;
/** How many past hours each purge walks back through (a purge that did not run for longer leaves older ones). */
const PURGE_LOOKBACK_HOURS = 14 * 24;

/** The hour from which a document that ends at `end` may be deleted (see `purgeEnded`). */
const purgeHourAfter = (end: Date): number => hourOf(end.getTime() + KEEP_AFTER_END_MS);

/** Refresh-token families: start, rotate (with replay detection), revoke. */
@Injectable()
export class SessionsService {
  private readonly logger = new Logger(SessionsService.name);

  constructor(
    @InjectModel(TokenFamily.name) private readonly families: Model<TokenFamily>,
    @InjectModel(SpentRefreshToken.name) private readonly spent: Model<SpentRefreshToken>,
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
      purgeHour: purgeHourAfter(expiresAt),
    });
    return { familyId, userId, token, expiresAt };
  }

  /**
   * Exchanges a refresh token for the next one. The token is claimed first by inserting its hash into
   * `refresh_token_spent` (unique `_id`): of two parallel calls with the same token exactly one wins,
   * and the other is treated as a replay and revokes the family (a replay is indistinguishable from a
   * theft). A token already rotated earlier is found in the family's `usedHashes`: same outcome.
   */
  async rotate(token: unknown): Promise<RotationResult> {
    if (!looksLikeRefreshToken(token)) return { ok: false, reason: 'malformed' };
    const presented = hashRefreshToken(token);
    const now = new Date();

    const live = await this.families
      .findOne({
        currentHash: presented,
        revokedAt: null,
        expiresAt: { $gt: now },
        absoluteExpiresAt: { $gt: now },
      })
      .lean()
      .exec();
    if (live === null) return this.refuseReplay(presented, now);

    try {
      await this.spent.create({
        _id: presented,
        familyId: live._id,
        spentAt: now,
        purgeHour: purgeHourAfter(now),
      });
    } catch (err) {
      if (!isDuplicateKeyError(err)) throw err;
      return this.refuseReplay(presented, now); // lost the race to a parallel refresh
    }

    const next = newRefreshToken();
    const expiresAt = MIN_DATE(
      new Date(now.getTime() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
      live.absoluteExpiresAt,
    );
    const rotated = await this.families
      .updateOne(
        { _id: live._id, currentHash: presented, revokedAt: null },
        {
          $set: {
            currentHash: hashRefreshToken(next),
            expiresAt,
            lastUsedAt: now,
            purgeHour: purgeHourAfter(expiresAt),
          },
          $push: { usedHashes: presented },
          $inc: { generation: 1 },
        },
      )
      .exec();
    // Revoked (sign-out, password change) between the read and the claim.
    if (rotated.modifiedCount !== 1) return { ok: false, reason: 'unknown-or-expired' };
    return { ok: true, issued: { familyId: live._id, userId: live.userId, token: next, expiresAt } };
  }

  /**
   * A token that is not the current one of a live session: revoke its family if it was ever used. A family
   * found already revoked was ended (and announced) by whoever revoked it.
   */
  private async refuseReplay(presented: string, now: Date): Promise<RotationResult> {
    const revoke = (filter: Record<string, unknown>) =>
      this.families
        .findOneAndUpdate(
          { ...filter, revokedAt: null },
          { $set: { revokedAt: now, revokedReason: 'refresh-token-reuse', purgeHour: purgeHourAfter(now) } },
          { returnDocument: 'after' },
        )
        .lean()
        .exec();
    // Two indexed lookups rather than one `$or`, which the local server cannot answer from an index.
    const replayed = (await revoke({ usedHashes: presented })) ?? (await revoke({ currentHash: presented }));
    if (replayed !== null) {
      this.logger.warn(`refresh token reused: revoked session ${replayed._id} of user ${replayed.userId}`);
      return { ok: false, reason: 'reused', endedSessionId: replayed._id };
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

  /**
   * Ends the session a refresh token (current or already rotated) belongs to. Returns its id (the `sid`
   * of its access tokens) when this call ended it, else null.
   */
  async revokeByToken(token: unknown, reason = 'sign-out'): Promise<string | null> {
    if (!looksLikeRefreshToken(token)) return null;
    const presented = hashRefreshToken(token);
    const now = new Date();
    const revoke = (filter: Record<string, unknown>) =>
      this.families
        .findOneAndUpdate(
          { ...filter, revokedAt: null },
          { $set: { revokedAt: now, revokedReason: reason, purgeHour: purgeHourAfter(now) } },
          { returnDocument: 'after' },
        )
        .lean()
        .exec();
    // Two indexed lookups rather than one `$or`, which the local server cannot answer from an index.
    const revoked = (await revoke({ currentHash: presented })) ?? (await revoke({ usedHashes: presented }));
    return revoked === null ? null : revoked._id;
  }

  /** Ends one session of a user by its id (the `sid` of an access token). True when this call ended it. */
  async revokeById(familyId: string, userId: string, reason: string): Promise<boolean> {
    const now = new Date();
    const result = await this.families
      .updateOne(
        { _id: familyId, userId, revokedAt: null },
        { $set: { revokedAt: now, revokedReason: reason, purgeHour: purgeHourAfter(now) } },
      )
      .exec();
    return result.modifiedCount === 1;
  }

  /**
   * Ends every session of a user except `keepFamilyId` (password change, account lock) and returns the
   * ids of the sessions this call ended.
   */
  async revokeAllForUser(userId: string, reason: string, keepFamilyId?: string): Promise<string[]> {
    const filter: Record<string, unknown> = { userId, revokedAt: null };
    if (keepFamilyId !== undefined) filter._id = { $ne: keepFamilyId };
    const now = new Date();
    await this.families
      .updateMany(filter, { $set: { revokedAt: now, revokedReason: reason, purgeHour: purgeHourAfter(now) } })
      .exec();
    // The instant is this call's own mark: the families it ended carry exactly it.
    const ended = await this.families.find({ userId, revokedAt: now }, { _id: 1 }).lean().exec();
    return ended.map((family) => family._id);
  }

  /** Sessions ended since `since` (the revocation repair loop re-asserts them in Redis). */
  async revokedSince(since: Date): Promise<Array<{ id: string; revokedAt: Date }>> {
    const families = await this.families
      .find({ revokedAt: { $gt: since } }, { _id: 1, revokedAt: 1 })
      .sort({ revokedAt: 1 })
      .limit(10_000)
      .lean()
      .exec();
    return families.map((family) => ({ id: family._id, revokedAt: family.revokedAt as Date }));
  }

  /**
   * Deletes sessions that ended, and spent-token claims made, more than a day ago (no TTL indexes in
   * the supported Mongo subset). Each document carries the hour it may go (`purgeHour`, kept current by every
   * write that ends or extends it), so this deletes whole past hours by indexed equality, never by a range
   * over the collections. A claim only arbitrates parallel refreshes; `usedHashes` remembers.
   */
  async purgeEnded(now = new Date()): Promise<number> {
    await deleteWholeHours((f) => this.spent.deleteMany(f).exec(), 'purgeHour', now, PURGE_LOOKBACK_HOURS);
    return deleteWholeHours(
      (f) => this.families.deleteMany(f).exec(),
      'purgeHour',
      now,
      PURGE_LOOKBACK_HOURS,
    );
  }
}
