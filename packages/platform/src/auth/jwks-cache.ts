import { importJWK, type JWK, type JWSHeaderParameters } from 'jose';
import { getLogger } from '../logging';

/** The only signature algorithms access tokens may use. */
export const ACCESS_TOKEN_ALGORITHMS = ['EdDSA', 'ES256'] as const;
export type AccessTokenAlgorithm = (typeof ACCESS_TOKEN_ALGORITHMS)[number];

export interface JwksCacheOptions {
  url: string;
  /** Least time between two fetches triggered by unknown `kid`s (protects the auth service). */
  cooldownMs?: number;
  /** After this long the set is refetched on next use; on failure the previous keys stay in use. */
  maxAgeMs?: number;
  timeoutMs?: number;
  /** Largest JWKS document accepted. */
  maxBytes?: number;
}

/** Why a key could not be found; the verifier turns every one of these into UNAUTHENTICATED. */
export class JwksKeyError extends Error {}

type VerificationKey = Awaited<ReturnType<typeof importJWK>>;

interface CachedKey {
  jwk: JWK;
  alg: AccessTokenAlgorithm | undefined;
  key?: Promise<VerificationKey>;
}

function algorithmsFor(jwk: JWK): readonly AccessTokenAlgorithm[] {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return ['EdDSA'];
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return ['ES256'];
  return [];
}

/** Public signing keys only, with a `kid`, of a type we accept. Anything else in the set is ignored. */
function acceptable(jwk: unknown): jwk is JWK & { kid: string } {
  if (!jwk || typeof jwk !== 'object') return false;
  const candidate = jwk as JWK;
  if (typeof candidate.kid !== 'string' || !candidate.kid) return false;
  if (candidate.d !== undefined) return false;
  if (candidate.use !== undefined && candidate.use !== 'sig') return false;
  const algorithms = algorithmsFor(candidate);
  if (algorithms.length === 0) return false;
  return candidate.alg === undefined || (algorithms as readonly string[]).includes(candidate.alg);
}

/**
 * The auth service's public keys, fetched from its JWKS URL and kept by `kid`.
 * - A token whose `kid` is missing is refused; an unknown `kid` refetches the set at most once per
 *   cooldown and is refused if still unknown. There is no fallback to "some other key".
 * - A key is only used with the algorithm its type (and its `alg`, when published) allows.
 * - When the set is older than `maxAgeMs` it is refetched in the background (the stale keys answer
 *   meanwhile); if that fails the old keys stay valid, so an auth-service outage neither signs everyone
 *   out of every other service nor slows their requests down.
 */
export class JwksCache {
  private readonly cooldownMs: number;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;
  private readonly logger = getLogger('JwksCache');
  private keys = new Map<string, CachedKey>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;

  constructor(private readonly options: JwksCacheOptions) {
    this.cooldownMs = options.cooldownMs ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 10 * 60_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.maxBytes = options.maxBytes ?? 64 * 1024;
  }

  /** Key lookup for jose's `jwtVerify(token, cache.getKey, ...)`. */
  readonly getKey = async (header: JWSHeaderParameters): Promise<VerificationKey> => {
    const kid = header.kid;
    if (typeof kid !== 'string' || !kid) throw new JwksKeyError('token header has no kid');
    if (!(ACCESS_TOKEN_ALGORITHMS as readonly string[]).includes(header.alg ?? '')) {
      throw new JwksKeyError(`algorithm ${String(header.alg)} is not allowed`);
    }
    const alg = header.alg as AccessTokenAlgorithm;

    let entry = this.keys.get(kid);
    if (Date.now() - this.fetchedAt > this.maxAgeMs && this.mayFetch()) {
      const refreshing = this.refresh().catch((error: unknown) => this.onFetchFailure(error));
      // A known kid is served from the stale set while the refresh runs in the background: a slow or
      // hung auth service must not add its timeout to every request of every other service.
      if (!entry) await refreshing;
    }
    entry = this.keys.get(kid);
    if (!entry && this.mayFetch()) {
      await this.refresh().catch((error: unknown) => this.onFetchFailure(error));
      entry = this.keys.get(kid);
    }
    if (!entry) throw new JwksKeyError('unknown kid');
    if (!algorithmsFor(entry.jwk).includes(alg) || (entry.alg !== undefined && entry.alg !== alg)) {
      throw new JwksKeyError('algorithm does not match the key');
    }
    entry.key ??= importJWK(entry.jwk, alg);
    return entry.key;
  };

  /** The kids currently cached (for diagnostics and tests). */
  kids(): string[] {
    return [...this.keys.keys()];
  }

  /** Fetches the set now (single flight). Rejects when the fetch or the document is bad. */
  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private mayFetch(): boolean {
    return this.inflight !== undefined || Date.now() - this.attemptedAt >= this.cooldownMs;
  }

  private onFetchFailure(error: unknown): void {
    this.logger.warn({ err: error, url: this.options.url, cachedKids: this.kids() }, 'JWKS fetch failed');
  }

  private async load(): Promise<void> {
    this.attemptedAt = Date.now();
    const response = await fetch(this.options.url, {
      headers: { accept: 'application/jwk-set+json, application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    if (response.status !== 200) throw new Error(`JWKS answered HTTP ${response.status}`);
    const text = await response.text();
    if (text.length > this.maxBytes) throw new Error('JWKS document too large');
    const body = JSON.parse(text) as { keys?: unknown };
    if (!body || !Array.isArray(body.keys)) throw new Error('JWKS document has no keys array');

    const next = new Map<string, CachedKey>();
    for (const jwk of body.keys) {
      if (!acceptable(jwk) || next.has(jwk.kid)) continue;
      const previous = this.keys.get(jwk.kid);
      const unchanged = previous && JSON.stringify(previous.jwk) === JSON.stringify(jwk);
      next.set(jwk.kid, unchanged ? previous : { jwk, alg: jwk.alg as AccessTokenAlgorithm | undefined });
    }
    this.keys = next;
    this.fetchedAt = Date.now();
  }
}
