import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { getLogger, InjectConfig } from '@ticketing/platform';
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { Model } from 'mongoose';
import { isDuplicateKey } from '../common/ids';
import type { TicketConfig } from '../config';
import { keyIdOf, signTicketToken, verifyTicketToken, type TicketClaims } from './qr/ticket-token';
import { SIGNING_KEY, type SigningKeyDoc } from './schemas/signing-key.schema';

const GENERATED_KEY_ID = 'generated';

export interface PublicTicketKey extends JsonWebKey {
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** Parses TICKET_SIGNING_KEY: a PKCS8 PEM or a private JWK (JSON). Must be Ed25519. */
export function parseSigningKey(raw: string): KeyObject {
  const key = raw.trimStart().startsWith('{')
    ? createPrivateKey({ key: JSON.parse(raw) as JsonWebKey, format: 'jwk' })
    : createPrivateKey(raw);
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error('TICKET_SIGNING_KEY must be an Ed25519 private key');
  return key;
}

/**
 * The Ed25519 key that signs QR tokens. From TICKET_SIGNING_KEY when set (required in production);
 * otherwise generated once and kept in MongoDB so every replica and restart signs with the same key.
 * The published set is that key first, then the public keys of TICKET_PREVIOUS_PUBLIC_KEYS: retired signing
 * keys whose tokens scanners must still accept during a rotation's overlap (they never sign here). Scanners
 * drop every key the set no longer lists.
 */
@Injectable()
export class TicketKeysService implements OnModuleInit {
  private readonly log = getLogger('ticket-keys');
  private privateKey?: KeyObject;
  private publicKey?: KeyObject;
  private kid = '';
  /** Current key first, then the previous ones (without duplicates or the current key). */
  private published = new Map<string, KeyObject>();

  constructor(
    @InjectConfig() private readonly config: TicketConfig,
    @InjectModel(SIGNING_KEY) private readonly keys: Model<SigningKeyDoc>,
  ) {}

  async onModuleInit(): Promise<void> {
    const privateKey = this.config.TICKET_SIGNING_KEY
      ? parseSigningKey(this.config.TICKET_SIGNING_KEY)
      : await this.generatedKey();
    this.privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    this.kid = keyIdOf(this.publicKey);
    const published = new Map([[this.kid, this.publicKey]]);
    for (const key of this.config.TICKET_PREVIOUS_PUBLIC_KEYS) {
      const kid = keyIdOf(key);
      if (!published.has(kid)) published.set(kid, key);
    }
    this.published = published;
    if (published.size > 1)
      this.log.info(
        { kid: this.kid, previous: [...published.keys()].slice(1) },
        'publishing previous QR keys',
      );
  }

  private async generatedKey(): Promise<KeyObject> {
    const existing = await this.keys.findById(GENERATED_KEY_ID).lean<SigningKeyDoc>().exec();
    if (existing) return createPrivateKey(existing.privateKeyPem);
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    try {
      await this.keys.create({ _id: GENERATED_KEY_ID, privateKeyPem: pem, createdAt: new Date() });
      this.log.warn('generated a QR signing key (set TICKET_SIGNING_KEY outside development and tests)');
      return privateKey;
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const winner = await this.keys.findById(GENERATED_KEY_ID).lean<SigningKeyDoc>().exec();
      return createPrivateKey(winner!.privateKeyPem);
    }
  }

  get keyId(): string {
    return this.kid;
  }

  sign(claims: Omit<TicketClaims, 'keyId'>): string {
    return signTicketToken(claims, this.privateKey!, this.kid);
  }

  /** The claims of a token signed by the current key or a previous one still published, else null. */
  verify(token: string): TicketClaims | null {
    return verifyTicketToken(token, this.published);
  }

  /** The public keys scanners verify with (JWK, `kid` as in the tokens): the current key, then the previous ones. */
  publicKeys(): PublicTicketKey[] {
    return [...this.published].map(([kid, key]) => ({
      ...key.export({ format: 'jwk' }),
      kid,
      alg: 'EdDSA',
      use: 'sig',
    }));
  }
}
