import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  getLogger,
  InjectConfig,
  verifyTicketToken,
  withTimeout,
  type TicketClaims,
} from '@ticketing/platform';
import type { Model } from 'mongoose';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CheckinConfig } from '../config';
import { KNOWN_TICKET_KEY, type KnownTicketKeyDoc } from './schemas';

/** An unknown key id refetches the set at most this often (forged kids cannot make us hammer the ticket service). */
const UNKNOWN_KID_COOLDOWN_MS = 2_000;
const FETCH_TIMEOUT_MS = 2_000;

export interface PublicTicketKey {
  kid: string;
  kty: string;
  crv: string;
  x: string;
  alg: 'EdDSA';
}

/**
 * The ticket service's QR key set (`/.well-known/ticket-keys.json`), cached in memory and in MongoDB.
 * Refreshed every TICKET_KEYS_REFRESH_MS in the background; a token with an unknown `kid` (rotation)
 * refetches at once, at most every 2 s. Keys are never dropped: a fetch that fails or lists fewer keys
 * leaves the known ones in place, so scanning keeps working while the ticket service is down.
 */
@Injectable()
export class TicketKeysClient implements OnModuleInit, OnApplicationShutdown {
  private readonly log = getLogger('ticket-keys');
  private readonly keys = new Map<string, KeyObject>();
  private readonly jwks = new Map<string, PublicTicketKey>();
  private readonly url: string;
  private timer?: NodeJS.Timeout;
  private lastUnknownKidFetchAt = 0;
  private inFlight?: Promise<void>;

  constructor(
    @InjectConfig() private readonly config: CheckinConfig,
    @InjectModel(KNOWN_TICKET_KEY) private readonly stored: Model<KnownTicketKeyDoc>,
  ) {
    this.url = new URL('/.well-known/ticket-keys.json', config.TICKET_URL).toString();
  }

  async onModuleInit(): Promise<void> {
    for (const doc of await this.stored.find({}).limit(100).lean<KnownTicketKeyDoc[]>().exec()) {
      this.remember(doc._id, doc.jwk);
    }
    // Never blocks the boot: the ticket service may be down.
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.TICKET_KEYS_REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The claims of a genuine token, else null (unknown key after a refetch, bad signature, malformed). */
  async verify(token: string): Promise<TicketClaims | null> {
    const claims = verifyTicketToken(token, this.keys);
    if (claims) return claims;
    const kid = keyIdOfToken(token);
    if (!kid || this.keys.has(kid) || Date.now() - this.lastUnknownKidFetchAt < UNKNOWN_KID_COOLDOWN_MS)
      return null;
    this.lastUnknownKidFetchAt = Date.now();
    await this.refresh();
    return verifyTicketToken(token, this.keys);
  }

  /** The keys known now (offline bundle). */
  publicKeys(): PublicTicketKey[] {
    // None known yet (the ticket service was unreachable at boot): fetch now, for the next bundle.
    if (this.jwks.size === 0) void this.refresh();
    return [...this.jwks.values()];
  }

  /** Fetches the set once (concurrent callers share the request); failures keep the known keys. */
  refresh(): Promise<void> {
    this.inFlight ??= this.fetchKeys().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async fetchKeys(): Promise<void> {
    try {
      const response = await withTimeout(fetch(this.url), FETCH_TIMEOUT_MS, 'ticket key set fetch timed out');
      if (!response.ok) throw new Error(`ticket key set answered HTTP ${response.status}`);
      const body = (await response.json()) as { keys?: unknown };
      const listed = Array.isArray(body.keys) ? body.keys : [];
      for (const entry of listed) {
        const jwk = entry as Partial<PublicTicketKey>;
        if (
          typeof jwk.kid !== 'string' ||
          jwk.kty !== 'OKP' ||
          jwk.crv !== 'Ed25519' ||
          typeof jwk.x !== 'string'
        )
          continue;
        if (this.keys.has(jwk.kid)) continue;
        const material = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
        if (!this.remember(jwk.kid, material)) continue;
        await this.stored
          .updateOne(
            { _id: jwk.kid },
            { $setOnInsert: { jwk: material, fetchedAt: new Date() } },
            { upsert: true },
          )
          .exec()
          .catch((error: unknown) => this.log.warn({ err: error }, 'could not store a ticket key'));
        this.log.info({ kid: jwk.kid }, 'new ticket QR key');
      }
    } catch (error) {
      this.log.warn({ err: error, url: this.url }, 'ticket key set unavailable; keeping the known keys');
    }
  }

  private remember(kid: string, jwk: { kty: string; crv: string; x: string }): boolean {
    try {
      this.keys.set(kid, createPublicKey({ key: jwk, format: 'jwk' }));
      this.jwks.set(kid, { kid, kty: jwk.kty, crv: jwk.crv, x: jwk.x, alg: 'EdDSA' });
      return true;
    } catch {
      return false;
    }
  }
}

/** The `k` of a token's payload, without verifying anything (to decide whether a refetch may help). */
function keyIdOfToken(token: string): string | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'T1' || parts[1]!.length > 1024) return null;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { k?: unknown };
    return typeof payload.k === 'string' && payload.k.length <= 64 ? payload.k : null;
  } catch {
    return null;
  }
}
