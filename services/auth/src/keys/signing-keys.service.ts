import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { InjectConfig } from '@ticketing/platform';
import type { JWK } from 'jose';
import type { Model } from 'mongoose';
import type { AuthConfig } from '../config';
import { SigningKeyRecord } from './schemas/signing-key.schema';
import { generatePrivateJwk, isSigningJwk, signingKeyFromJwk, type SigningKey } from './signing-key';

/** How often replicas re-read the stored keys (development/test mode). */
export const RELOAD_INTERVAL_MS = 30_000;
/** Allowance for clock skew between replicas and verifiers. */
const CLOCK_SKEW_MS = 60_000;

/** A key and the instant from which it signs (ms since epoch). */
interface ScheduledKey {
  key: SigningKey;
  activeFrom: number;
}

/**
 * The keys access tokens are signed with, and the JWKS that publishes their public halves.
 *
 * - `AUTH_SIGNING_KEYS` set (required in production): the keys come from that Secret, in that order; the
 *   first signs and all are published. Rotate in two steps: add the new key second (published, so every
 *   verifier learns it), then move it first; keep the old key listed for at least the access-token TTL.
 * - otherwise (development/test): keys are generated and kept in the `signing_keys` collection so every
 *   replica shares them. `rotate()` adds a newer key that is published at once and signs a little later;
 *   a superseded key leaves the JWKS once every token it can have signed has expired.
 */
@Injectable()
export class SigningKeysService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SigningKeysService.name);
  /** Newest activation first. */
  private schedule: ScheduledKey[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectModel(SigningKeyRecord.name) private readonly stored: Model<SigningKeyRecord>,
    @InjectConfig() private readonly config: AuthConfig,
  ) {}

  get source(): 'config' | 'mongo' {
    return this.config.AUTH_SIGNING_KEYS === undefined ? 'mongo' : 'config';
  }

  async onModuleInit(): Promise<void> {
    if (this.source === 'config') {
      const keys = await loadConfiguredKeys(this.config.AUTH_SIGNING_KEYS as JWK[]);
      // Listed order is the order of precedence; all are "active", the first one wins.
      this.schedule = keys.map((key, index) => ({ key, activeFrom: -index }));
      this.logger.log(`signing with configured key ${keys[0].kid} (${keys.length} published)`);
      return;
    }
    // Keys of another algorithm (Ed25519 keys stored before the move to ES256) are neither used nor published.
    if ((await this.stored.countDocuments({ 'jwk.kty': 'EC', 'jwk.crv': 'P-256' }).exec()) === 0) {
      await this.insertNewKey(new Date());
    }
    await this.reload();
    this.timer = setInterval(() => {
      this.reload().catch((err: unknown) =>
        this.logger.warn(`reloading signing keys failed: ${String(err)}`),
      );
    }, RELOAD_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  /** The key that signs new tokens: the newest one whose activation time has come. */
  signer(now = Date.now()): SigningKey {
    const active = this.schedule.find((entry) => entry.activeFrom <= now);
    if (active === undefined) throw new Error('no active signing key');
    return active.key;
  }

  /** The public JWKS document. */
  jwks(now = Date.now()): { keys: JWK[] } {
    return { keys: this.publishedAt(now).map((entry) => entry.key.publicJwk) };
  }

  /**
   * Development/test only: adds a key that is published at once and signs from `activateInMs` on
   * (default: long enough for every replica and every verifier cache to have seen it). Returns its kid.
   */
  async rotate(activateInMs = 2 * RELOAD_INTERVAL_MS): Promise<string> {
    if (this.source === 'config') {
      throw new Error('keys come from AUTH_SIGNING_KEYS: rotate by updating that Secret');
    }
    const kid = await this.insertNewKey(new Date(Date.now() + activateInMs));
    await this.reload();
    return kid;
  }

  /** Re-reads the stored keys (development/test mode). */
  async reload(): Promise<void> {
    const stored = await this.stored.find().sort({ activeFrom: -1, _id: 1 }).lean().exec();
    const records = stored.filter((record) => isSigningJwk(record.jwk as JWK));
    if (records.length === 0) throw new Error('no ES256 signing key stored');
    this.schedule = await Promise.all(
      records.map(async (record) => ({
        activeFrom: new Date(record.activeFrom ?? record.createdAt).getTime(),
        key: await signingKeyFromJwk({ ...(record.jwk as JWK), kid: record._id }),
      })),
    );
  }

  /**
   * Keys to publish at `now`: those not active yet, the signer, and each superseded key while tokens
   * it signed may still be valid (the access TTL after its successor took over, plus reload time and
   * clock skew).
   */
  private publishedAt(now: number): ScheduledKey[] {
    if (this.source === 'config') return this.schedule;
    const grace = this.config.ACCESS_TOKEN_TTL_SECONDS * 1000 + RELOAD_INTERVAL_MS + CLOCK_SKEW_MS;
    const published: ScheduledKey[] = [];
    let successor: ScheduledKey | undefined;
    for (const entry of this.schedule) {
      const stillNeeded =
        successor === undefined || successor.activeFrom > now || successor.activeFrom + grace >= now;
      if (!stillNeeded) break;
      published.push(entry);
      successor = entry;
    }
    return published;
  }

  private async insertNewKey(activeFrom: Date): Promise<string> {
    const jwk = await generatePrivateJwk();
    const kid = jwk.kid as string;
    await this.stored.create({ _id: kid, jwk, createdAt: new Date(), activeFrom });
    this.logger.log(
      `generated signing key ${kid}, signing from ${activeFrom.toISOString()} (development/test mode)`,
    );
    return kid;
  }
}

/** Imports the configured private JWKs; fails start-up naming the index of a bad one. */
export async function loadConfiguredKeys(jwks: JWK[]): Promise<SigningKey[]> {
  const keys: SigningKey[] = [];
  for (const [index, jwk] of jwks.entries()) {
    try {
      keys.push(await signingKeyFromJwk(jwk));
    } catch (err) {
      throw new Error(`AUTH_SIGNING_KEYS[${index}] ${(err as Error).message}`);
    }
  }
  const kids = new Set(keys.map((key) => key.kid));
  if (kids.size !== keys.length) throw new Error('AUTH_SIGNING_KEYS has duplicate "kid" values');
  return keys;
}
