import { DEV_DISPLAY_CODE_MASTER_KEY } from '@ticketing/platform';
import { describe, expect, it } from 'vitest';
import { deriveDisplaySecret, displayCode, scannableDisplayCode, verifyDisplayCode } from './display-code';

describe('rotating display code (derived secret)', () => {
  const ticketId = '6745a4d5c2d4e8b9a0f1e511';
  const t0 = Date.UTC(2026, 10, 25, 12, 0, 0);

  it('changes with the generation, so a transfer re-keys the code without storing a secret', () => {
    const gen1 = deriveDisplaySecret(DEV_DISPLAY_CODE_MASTER_KEY, ticketId, 1);
    const gen2 = deriveDisplaySecret(DEV_DISPLAY_CODE_MASTER_KEY, ticketId, 2);
    const code = displayCode(gen1, t0);
    expect(code).toMatch(/^\d{8}$/);
    expect(verifyDisplayCode(gen1, code, t0)).toBe(true);
    expect(verifyDisplayCode(gen2, code, t0)).toBe(false);
  });

  it('the scanned form names the ticket and generation and ends with the current code', () => {
    const secret = deriveDisplaySecret(DEV_DISPLAY_CODE_MASTER_KEY, ticketId, 1);
    expect(scannableDisplayCode(DEV_DISPLAY_CODE_MASTER_KEY, ticketId, 1, t0)).toBe(
      `D1.${ticketId}.1.${displayCode(secret, t0)}`,
    );
  });
});
