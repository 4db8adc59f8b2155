import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../config';
import { SessionCookies } from './session-cookies';

function fakeResponse() {
  const set: Array<{ name: string; value: string; options: Record<string, unknown> }> = [];
  const cleared: Array<{ name: string; options: Record<string, unknown> }> = [];
  const res = {
    cookie: (name: string, value: string, options: Record<string, unknown>) =>
      set.push({ name, value, options }),
    clearCookie: (name: string, options: Record<string, unknown>) => cleared.push({ name, options }),
  };
  return { res: res as unknown as Response, set, cleared };
}

const config = (secure: boolean) =>
  ({
    COOKIE_SECURE: secure,
    ACCESS_TOKEN_TTL_SECONDS: 900,
    REFRESH_TOKEN_TTL_SECONDS: 1_209_600,
  }) as AuthConfig;

describe('SessionCookies', () => {
  it('uses __Host- names with Secure, HttpOnly, SameSite=Lax, Path=/ and no Domain by default', () => {
    const cookies = new SessionCookies(config(true));
    const { res, set } = fakeResponse();
    cookies.setSession(res, 'access', 'refresh', new Date(Date.now() + 1_209_600_000));
    expect(set.map((c) => c.name)).toEqual(['__Host-at', '__Host-rt']);
    for (const cookie of set) {
      expect(cookie.options).toMatchObject({ httpOnly: true, secure: true, sameSite: 'lax', path: '/' });
      expect(cookie.options.domain).toBeUndefined();
    }
    expect(set[0].options.maxAge).toBe(900_000);
    expect(set[1].options.maxAge).toBe(1_209_600_000);
  });

  it('falls back to plain names without Secure for plain-http development', () => {
    const cookies = new SessionCookies(config(false));
    const { res, set, cleared } = fakeResponse();
    cookies.setSession(res, 'a', 'r', new Date(Date.now() + 60_000));
    expect(set.map((c) => [c.name, c.options.secure])).toEqual([
      ['at', false],
      ['rt', false],
    ]);
    // Near the session's absolute end the refresh cookie lives only as long as the session.
    expect(set[1].options.maxAge).toBe(60_000);
    cookies.clear(res);
    expect(cleared.map((c) => c.name)).toEqual(['at', 'rt']);
  });

  it('reads the refresh token from its cookie only', () => {
    const cookies = new SessionCookies(config(true));
    const req = (c: Record<string, string>, headers: Record<string, string> = {}) =>
      ({ cookies: c, headers }) as never;
    expect(cookies.readRefresh(req({ '__Host-rt': 'token' }))).toBe('token');
    expect(cookies.readRefresh(req({ rt: 'planted-by-a-sibling' }))).toBeUndefined();
    expect(cookies.readRefresh(req({}, { authorization: 'Bearer token' }))).toBeUndefined();
  });
});
