import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { getLogger, InjectConfig, verifyTicketToken, type TicketClaims } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { CheckinConfig } from '../config';
import { KNOWN_TICKET_KEY, type KnownTicketKeyDoc } from './schemas';

/** An unknown key id refetches the set at most this often (forged kids cannot make us hammer the ticket service). */
const UNKNOWN_KID_COOLDOWN_MS = 2_000;
const FETCH_TIMEOUT_MS = 2_000;

type KeyMaterial = KnownTicketKeyDoc['jwk'];

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
 * refetches at once, at most every 2 s. A fetch that succeeds with at least one valid key is authoritative:
 * keys it does not list are retired (the operators removed them, e.g. after a rotation's overlap or a
 * compromise), from memory and from the MongoDB copy, so they stop verifying here and leave the offline
 * bundle. A fetch that fails (ticket down, timeout, non-2xx, no valid key in the body) changes nothing: the
 * known keys stay, so scanning keeps working while the ticket service is down, also after a restart.
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
    let listed: Map<string, KeyMaterial>;
    try {
      listed = await this.fetchSet();
    } catch (error) {
      this.log.warn({ err: error, url: this.url }, 'ticket key set unavailable; keeping the known keys');
      return;
    }
    if (listed.size === 0) {
      this.log.warn({ url: this.url }, 'ticket key set lists no valid key; keeping the known keys');
      return;
    }
    // Memory first, at once: the scans of this process follow the set from here on.
    for (const [kid, material] of listed) {
      if (this.keys.has(kid)) continue;
      this.remember(kid, material);
      this.log.info({ kid }, 'new ticket QR key');
    }
    for (const kid of [...this.keys.keys()]) {
      if (listed.has(kid)) continue;
      this.keys.delete(kid);
      this.jwks.delete(kid);
      this.log.info({ kid }, 'ticket QR key retired');
    }
    // Then the MongoDB copy mirrors the set: every listed key (also those this process knew already: another
    // replica may have pruned them after an older answer), and nothing else. Upserts before the delete, so an
    // interruption leaves more keys, never fewer; the next successful fetch finishes the job.
    const kids = [...listed.keys()];
    await this.stored
      .bulkWrite(
        kids.map((kid) => ({
          updateOne: {
            filter: { _id: kid },
            update: { $setOnInsert: { jwk: listed.get(kid)!, fetchedAt: new Date() } },
            upsert: true,
          },
        })),
        { ordered: false },
      )
      .catch((error: unknown) => this.log.warn({ err: error }, 'could not store the ticket keys'));
    await this.stored
      .deleteMany({ _id: { $nin: kids } })
      .exec()
      .catch((error: unknown) => this.log.warn({ err: error }, 'could not drop retired ticket keys'));
  }

  /** The valid keys the ticket service lists now (kid → material); throws when it cannot be asked. */
  private async fetchSet(): Promise<Map<string, KeyMaterial>> {
    // The signal bounds the whole exchange, body included, and closes the connection when it fires.
    const response = await fetch(this.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`ticket key set answered HTTP ${response.status}`);
    const body = (await response.json()) as { keys?: unknown } | null;
    const listed = new Map<string, KeyMaterial>();
    for (const entry of Array.isArray(body?.keys) ? body.keys : []) {
      const jwk = entry as Partial<PublicTicketKey> | null;
      if (
        typeof jwk?.kid !== 'string' ||
        jwk.kty !== 'OKP' ||
        jwk.crv !== 'Ed25519' ||
        typeof jwk.x !== 'string' ||
        listed.has(jwk.kid)
      )
        continue;
      // A key known already keeps the material it was first fetched with.
      const known = this.jwks.get(jwk.kid);
      const material = known
        ? { kty: known.kty, crv: known.crv, x: known.x }
        : { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
      if (known || publicKeyOf(material)) listed.set(jwk.kid, material);
    }
    return listed;
  }

  private remember(kid: string, jwk: KeyMaterial): boolean {
    const key = publicKeyOf(jwk);
    if (!key) return false;
    this.keys.set(kid, key);
    this.jwks.set(kid, { kid, kty: jwk.kty, crv: jwk.crv, x: jwk.x, alg: 'EdDSA' });
    return true;
  }
}

function publicKeyOf(jwk: KeyMaterial): KeyObject | null {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return null;
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
