import { Injectable } from '@nestjs/common';
import { InjectConfig } from '@ticketing/platform';
import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import type { AuthConfig } from '../config';
import { SigningKeysService } from './signing-keys.service';

/** The claims an access token carries about its subject (the platform's `AuthUser`). */
export interface AccessTokenSubject {
  id: string;
  email: string;
  role: string;
  name: string;
}

export interface AccessToken {
  token: string;
  expiresAt: Date;
}

/** Signs short-lived access tokens (ES256 JWT, `kid` in the header, `iss`/`aud`/`exp`/`sid` set). */
@Injectable()
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeysService,
    @InjectConfig() private readonly config: AuthConfig,
  ) {}

  /** An access token for `subject` in session `sessionId` (the `sid` claim every verifier checks). */
  async issue(subject: AccessTokenSubject, sessionId: string): Promise<AccessToken> {
    const key = this.keys.signer();
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.config.ACCESS_TOKEN_TTL_SECONDS;
    const token = await new SignJWT({
      email: subject.email,
      role: subject.role,
      name: subject.name,
      sid: sessionId,
    })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .setSubject(subject.id)
      .setIssuer(this.config.AUTH_ISSUER)
      .setAudience(this.config.AUTH_AUDIENCE)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }
}
