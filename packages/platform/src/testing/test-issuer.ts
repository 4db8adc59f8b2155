import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';

/** The user a token is minted for (the claims the platform reads). */
export interface TestTokenUser {
  id: string;
  email: string;
  role: string;
  name: string;
}

export interface TestSignOptions {
  /** Seconds from now until `exp`; negative for an already expired token. Default 900. */
  expiresIn?: number;
  /** Header `kid`: another value to test unknown keys, `null` to leave it out. Default: the signing key's. */
  kid?: string | null;
  /**
   * Signing algorithm: `ES256` (default, the only one the platform accepts) or `EdDSA` (its key is
   * published too, to prove that a published key of another algorithm is still refused).
   */
  alg?: 'EdDSA' | 'ES256';
  /** The `sid` claim (session id); default a fresh UUID per token, `null` to leave it out. */
  sid?: string | null;
  aud?: string;
  iss?: string;
  /** Extra or replacement claims (e.g. `{ sub: undefined }` to drop one). */
  claims?: Record<string, unknown>;
}

export interface TestIssuer {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** `kid` of the current ES256 signing key. */
  readonly kid: string;
  /** How many times the JWKS was fetched. */
  readonly jwksRequests: number;
  /** A valid access token for `user` (unless the options make it otherwise). */
  sign(user: TestTokenUser, options?: TestSignOptions): Promise<string>;
  /** An unsigned token (`alg: none`) with otherwise valid claims. */
  signNone(user: TestTokenUser, options?: TestSignOptions): string;
  /** HS256 with the current public key's PEM as the HMAC secret (the classic key-confusion attack). */
  signHs256WithPublicKey(user: TestTokenUser, options?: TestSignOptions): Promise<string>;
  /** Adds a new ES256 key and signs with it from now on; older keys stay published. Returns the new kid. */
  rotate(): Promise<string>;
  /** Stops publishing every key but the current one. */
  retireOldKeys(): void;
  close(): Promise<void>;
}

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

interface SigningKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: KeyPair['privateKey'];
  publicKey: KeyPair['publicKey'];
  publicJwk: JWK;
}

async function newKey(alg: 'EdDSA' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : 'ES256', {
    extractable: true,
  });
  const jwk = await exportJWK(publicKey);
  const kid = createHash('sha256').update(JSON.stringify(jwk)).digest('base64url').slice(0, 16);
  return { kid, alg, privateKey, publicKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
}

/**
 * A stand-in for the auth service in tests: an HTTP server on 127.0.0.1 (random port) serving
 * `/.well-known/jwks.json`, and helpers that mint good and deliberately bad access tokens.
 */
export async function createTestIssuer(
  options: { issuer?: string; audience?: string } = {},
): Promise<TestIssuer> {
  const issuer = options.issuer ?? 'ticketing-auth';
  const audience = options.audience ?? 'ticketing';
  let keys: SigningKey[] = [await newKey('EdDSA'), await newKey('ES256')];
  const defaultAlg = 'ES256';
  let jwksRequests = 0;

  const current = (alg: 'EdDSA' | 'ES256'): SigningKey | undefined =>
    [...keys].reverse().find((key) => key.alg === alg);

  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') {
      jwksRequests += 1;
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ keys: keys.map((key) => key.publicJwk) }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const claimsFor = (user: TestTokenUser, signOptions: TestSignOptions): Record<string, unknown> => {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      sub: user.id,
      email: user.email,
      role: user.role,
      name: user.name,
      iss: signOptions.iss ?? issuer,
      aud: signOptions.aud ?? audience,
      iat: now,
      exp: now + (signOptions.expiresIn ?? 900),
      sid: signOptions.sid === null ? undefined : (signOptions.sid ?? randomUUID()),
      ...signOptions.claims,
    };
    for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
    return claims;
  };
  const headerKid = (signOptions: TestSignOptions, key: SigningKey): { kid?: string } =>
    signOptions.kid === null ? {} : { kid: signOptions.kid ?? key.kid };

  const issuerApi: TestIssuer = {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    issuer,
    audience,
    get kid() {
      return current(defaultAlg)!.kid;
    },
    get jwksRequests() {
      return jwksRequests;
    },
    async sign(user, signOptions = {}) {
      const alg = signOptions.alg ?? defaultAlg;
      const key = current(alg)!;
      return new SignJWT(claimsFor(user, signOptions))
        .setProtectedHeader({ alg, typ: 'JWT', ...headerKid(signOptions, key) })
        .sign(key.privateKey);
    },
    signNone(user, signOptions = {}) {
      const key = current(defaultAlg)!;
      const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
      const header = { alg: 'none', typ: 'JWT', ...headerKid(signOptions, key) };
      return `${encode(header)}.${encode(claimsFor(user, signOptions))}.`;
    },
    async signHs256WithPublicKey(user, signOptions = {}) {
      const key = current(defaultAlg)!;
      const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
      return new SignJWT(claimsFor(user, signOptions))
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...headerKid(signOptions, key) })
        .sign(secret);
    },
    async rotate() {
      const key = await newKey(defaultAlg);
      keys = [...keys, key];
      return key.kid;
    },
    retireOldKeys() {
      keys = keys.filter((key) => key === current(key.alg));
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return issuerApi;
}
