import { Injectable } from '@nestjs/common';
import { InjectConfig } from '@ticketing/platform';
import type { CookieOptions, Request, Response } from 'express';
import type { AuthConfig } from '../config';

export interface CookieNames {
  access: string;
  refresh: string;
}

/** `__Host-` names need `Secure`; plain-http local development (`COOKIE_SECURE=false`) uses bare names. */
export function cookieNames(secure: boolean): CookieNames {
  return secure ? { access: '__Host-at', refresh: '__Host-rt' } : { access: 'at', refresh: 'rt' };
}

/** Writes, clears and reads the session cookies (HttpOnly, SameSite=Lax, Path=/, Secure unless disabled). */
@Injectable()
export class SessionCookies {
  readonly names: CookieNames;

  constructor(@InjectConfig() private readonly config: AuthConfig) {
    this.names = cookieNames(config.COOKIE_SECURE);
  }

  private base(): CookieOptions {
    // No Domain attribute: host-only cookies, as the __Host- prefix requires.
    return { httpOnly: true, secure: this.config.COOKIE_SECURE, sameSite: 'lax', path: '/' };
  }

  /** Sets both cookies; Max-Age is the access TTL and the refresh token's remaining lifetime. */
  setSession(res: Response, accessToken: string, refreshToken: string, refreshExpiresAt: Date): void {
    // Whole seconds, rounded up: the token was minted a moment ago with exactly the configured TTL
    // (or less, near the session's absolute end).
    const remainingSeconds = Math.ceil(Math.max(0, refreshExpiresAt.getTime() - Date.now()) / 1000);
    const refreshMs = Math.min(this.config.REFRESH_TOKEN_TTL_SECONDS, remainingSeconds) * 1000;
    res.cookie(this.names.access, accessToken, {
      ...this.base(),
      maxAge: this.config.ACCESS_TOKEN_TTL_SECONDS * 1000,
    });
    res.cookie(this.names.refresh, refreshToken, { ...this.base(), maxAge: refreshMs });
  }

  /** Removes both cookies (an expired `Set-Cookie` with the same attributes). */
  clear(res: Response): void {
    res.clearCookie(this.names.access, this.base());
    res.clearCookie(this.names.refresh, this.base());
  }

  /** The refresh token, read from its cookie only (never from a header or an argument). */
  readRefresh(req: Request): string | undefined {
    const cookies = (req as Request & { cookies?: Record<string, unknown> }).cookies;
    const value = cookies?.[this.names.refresh];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }
}
