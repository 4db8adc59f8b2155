import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectConfig, SessionRevocations } from '@ticketing/platform';
import type { AuthConfig } from '../config';
import { SessionsService } from './sessions.service';

/** How often recent revocations are re-asserted in Redis (after a Redis restart or flush). */
export const REVOCATION_REPAIR_INTERVAL_MS = 5_000;
/** Allowance for clock skew between auth and the verifiers. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Tells every process that sessions ended: their ids go to the platform's revoked-session set (Redis key
 * with the longest remaining access-token lifetime + pub/sub), so every subgraph refuses their access
 * tokens within a second. MongoDB (`refresh_token_families.revokedAt`) stays the durable record: every
 * few seconds the sessions ended within the last access-token lifetime are re-asserted in Redis (`SET NX`,
 * announced only when the key was missing), so a Redis restart or flush, or a write that failed while
 * Redis was down, does not bring a revoked session back.
 */
@Injectable()
export class SessionRevoker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SessionRevoker.name);
  private timer: NodeJS.Timeout | undefined;
  private repairing = false;

  constructor(
    private readonly revocations: SessionRevocations,
    private readonly sessions: SessionsService,
    @InjectConfig() private readonly config: AuthConfig,
  ) {}

  /** The longest an access token of a session can still be valid after the session ends. */
  get lifetimeMs(): number {
    return this.config.ACCESS_TOKEN_TTL_SECONDS * 1000 + CLOCK_SKEW_MS;
  }

  /** Announces ended sessions. Never throws: on a Redis failure the repair loop announces them later. */
  async announce(sessionIds: readonly string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    try {
      await this.revocations.revoke(sessionIds, this.lifetimeMs);
    } catch (err) {
      this.logger.warn(
        `could not announce ${sessionIds.length} revoked session(s) (${String(err)}); the repair loop will`,
      );
    }
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.repair(), REVOCATION_REPAIR_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** Re-asserts the sessions ended within the last access-token lifetime. Returns how many were missing. */
  async repair(): Promise<number> {
    if (this.repairing) return 0;
    this.repairing = true;
    try {
      const ended = await this.sessions.revokedSince(new Date(Date.now() - this.lifetimeMs));
      const missing = await this.revocations.reassert(
        ended.map((session) => ({
          sid: session.id,
          expiresAt: session.revokedAt.getTime() + this.lifetimeMs,
        })),
      );
      if (missing > 0) this.logger.log(`re-asserted ${missing} revoked session(s) missing from Redis`);
      return missing;
    } catch (err) {
      this.logger.warn(`revocation repair failed: ${String(err)}`);
      return 0;
    } finally {
      this.repairing = false;
    }
  }
}
