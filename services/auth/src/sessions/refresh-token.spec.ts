import { describe, expect, it } from 'vitest';
import { hashRefreshToken, looksLikeRefreshToken, newRefreshToken } from './refresh-token';

describe('refresh tokens', () => {
  it('are 32 random bytes in base64url, different every time', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('are stored as a SHA-256 hex digest, never in clear', () => {
    const token = newRefreshToken();
    const digest = hashRefreshToken(token);
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(digest).not.toContain(token);
    expect(hashRefreshToken(token)).toBe(digest);
  });

  it('filters values that cannot be tokens before any lookup', () => {
    expect(looksLikeRefreshToken(newRefreshToken())).toBe(true);
    expect(looksLikeRefreshToken(undefined)).toBe(false);
    expect(looksLikeRefreshToken({ $ne: null })).toBe(false);
    expect(looksLikeRefreshToken('short')).toBe(false);
  });
});
