import { describe, expect, it } from 'vitest';
import {
  DEV_DISPLAY_CODE_MASTER_KEY,
  deriveDisplaySecret,
  displayCode,
  displayCodeAt,
  parseDisplayCode,
  scannableDisplayCode,
  verifyDisplayCode,
  verifyScannedDisplayCode,
} from './display-code';

const master = 'a-test-master-key-of-more-than-thirty-two-characters';
const ticketId = '6745a4d5c2d4e8b9a0f1e511';
const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('display-code secret derivation', () => {
  it('is deterministic per (master key, ticket, generation) and differs when any of them changes', () => {
    const s = deriveDisplaySecret(master, ticketId, 1);
    expect(s).toHaveLength(32);
    expect(deriveDisplaySecret(master, ticketId, 1).equals(s)).toBe(true);
    expect(deriveDisplaySecret(master, ticketId, 2).equals(s)).toBe(false);
    expect(deriveDisplaySecret(master, '6745a4d5c2d4e8b9a0f1e512', 1).equals(s)).toBe(false);
    expect(deriveDisplaySecret(DEV_DISPLAY_CODE_MASTER_KEY, ticketId, 1).equals(s)).toBe(false);
  });

  it('refuses a short master key', () => {
    expect(() => deriveDisplaySecret('short', ticketId, 1)).toThrow(/at least 32/);
  });

  it('pins the algorithm (HKDF-SHA256 then RFC 4226 truncation of HMAC-SHA256)', () => {
    const secret = deriveDisplaySecret(master, ticketId, 1);
    expect(displayCodeAt(secret, 0)).toMatch(/^\d{8}$/);
    expect(displayCodeAt(secret, 1)).not.toBe(displayCodeAt(secret, 0));
    expect(displayCode(secret, t0)).toBe(displayCode(secret, t0 + 14_999));
    expect(displayCode(secret, t0 + 15_000)).not.toBe(displayCode(secret, t0));
  });
});

describe('rotating code verification', () => {
  const secret = deriveDisplaySecret(master, ticketId, 3);

  it('accepts one step either side, not two', () => {
    const code = displayCode(secret, t0);
    expect(verifyDisplayCode(secret, code, t0)).toBe(true);
    expect(verifyDisplayCode(secret, code, t0 + 15_000)).toBe(true);
    expect(verifyDisplayCode(secret, code, t0 - 15_000)).toBe(true);
    expect(verifyDisplayCode(secret, code, t0 + 30_000)).toBe(false);
    expect(verifyDisplayCode(deriveDisplaySecret(master, ticketId, 4), code, t0)).toBe(false);
    expect(verifyDisplayCode(secret, '1234567', t0)).toBe(false);
  });

  it('round-trips the scanned form and refuses expired, foreign-key and malformed codes', () => {
    const scanned = scannableDisplayCode(master, ticketId, 3, t0);
    expect(scanned).toMatch(/^D1\.6745a4d5c2d4e8b9a0f1e511\.3\.\d{8}$/);
    expect(verifyScannedDisplayCode(master, scanned, t0)).toEqual({
      ticketId,
      generation: 3,
      code: scanned.slice(-8),
    });
    expect(verifyScannedDisplayCode(master, scanned, t0 + 31_000)).toBeNull();
    expect(verifyScannedDisplayCode(DEV_DISPLAY_CODE_MASTER_KEY, scanned, t0)).toBeNull();
    // Claiming another generation with the same digits fails: the secret differs.
    expect(verifyScannedDisplayCode(master, scanned.replace('.3.', '.4.'), t0)).toBeNull();
    for (const junk of [
      '',
      'D1',
      'D1.x.1.12345678',
      `D1.${ticketId}.0.12345678`,
      `D2.${ticketId}.3.12345678`,
    ]) {
      expect(parseDisplayCode(junk)).toBeNull();
    }
    expect(parseDisplayCode(`D1.${ticketId}.1.1234567a`)).toBeNull();
    expect(parseDisplayCode('x'.repeat(5000))).toBeNull();
  });
});
