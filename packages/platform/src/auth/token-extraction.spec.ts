import { describe, expect, it } from 'vitest';
import {
  bearerToken,
  connectionParamsToken,
  extractAccessToken,
  MAX_TOKEN_LENGTH,
  parseCookieHeader,
} from './token-extraction';

const TOKEN = 'aaa.bbb.ccc';

describe('extractAccessToken', () => {
  it('prefers the Bearer header over cookies', () => {
    const req = { headers: { authorization: 'Bearer hdr.tok.en', cookie: `__Host-at=${TOKEN}` } };
    expect(extractAccessToken(req, { cookieSecure: true })).toBe('hdr.tok.en');
  });

  it('reads only __Host-at when cookies are secure, so a planted `at` cookie is ignored', () => {
    expect(
      extractAccessToken({ headers: { cookie: `at=${TOKEN}` } }, { cookieSecure: true }),
    ).toBeUndefined();
    expect(
      extractAccessToken({ headers: { cookie: `x=1; __Host-at=${TOKEN}` } }, { cookieSecure: true }),
    ).toBe(TOKEN);
  });

  it('reads `at` (or __Host-at) on plain-http development', () => {
    expect(extractAccessToken({ headers: { cookie: `at=${TOKEN}` } }, { cookieSecure: false })).toBe(TOKEN);
    expect(extractAccessToken({ headers: { cookie: `__Host-at=${TOKEN}` } }, { cookieSecure: false })).toBe(
      TOKEN,
    );
  });

  it('uses req.cookies when cookie-parser ran', () => {
    expect(extractAccessToken({ headers: {}, cookies: { '__Host-at': TOKEN } }, { cookieSecure: true })).toBe(
      TOKEN,
    );
  });

  it('ignores oversized tokens and other schemes', () => {
    const huge = 'a'.repeat(MAX_TOKEN_LENGTH + 1);
    expect(
      extractAccessToken({ headers: { authorization: `Bearer ${huge}` } }, { cookieSecure: true }),
    ).toBeUndefined();
    expect(
      extractAccessToken({ headers: { authorization: `Basic ${TOKEN}` } }, { cookieSecure: true }),
    ).toBeUndefined();
  });
});

describe('helpers', () => {
  it('parseCookieHeader keeps the first value and survives bad encodings', () => {
    expect(parseCookieHeader('a=1; b="two"; a=3; c=%E0%A4%A; =x; d')).toEqual({
      a: '1',
      b: 'two',
      c: '%E0%A4%A',
    });
    expect(parseCookieHeader(undefined)).toEqual({});
  });

  it('bearerToken is case-insensitive on the scheme', () => {
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken(['Bearer abc'])).toBeUndefined();
  });

  it('connectionParamsToken accepts Bearer or a bare JWT', () => {
    expect(connectionParamsToken({ authorization: `Bearer ${TOKEN}` })).toBe(TOKEN);
    expect(connectionParamsToken({ Authorization: TOKEN })).toBe(TOKEN);
    expect(connectionParamsToken({ authorization: 'hello world' })).toBeUndefined();
    expect(connectionParamsToken(undefined)).toBeUndefined();
  });
});
