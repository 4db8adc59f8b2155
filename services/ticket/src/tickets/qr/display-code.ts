import { randomBytes } from 'node:crypto';

/**
 * The rotating display code now lives in `@ticketing/platform` (`deriveDisplaySecret`, `displayCode`,
 * `scannableDisplayCode`, ...): the check-in service verifies it with the same code, deriving each ticket's
 * secret from DISPLAY_CODE_MASTER_KEY instead of a stored one.
 */
export {
  DISPLAY_CODE_DIGITS,
  DISPLAY_CODE_STEP_SECONDS,
  deriveDisplaySecret,
  displayCode,
  displayCodeAt,
  displayCodeStep,
  scannableDisplayCode,
  verifyDisplayCode,
} from '@ticketing/platform';

/**
 * A random value for the legacy `secret` field of ticket documents. Nothing reads it any more (the secret
 * is derived); writers that still set it are harmless, and old documents keep theirs unused.
 * @deprecated the display-code secret is derived from DISPLAY_CODE_MASTER_KEY.
 */
export function newTicketSecret(): string {
  return randomBytes(32).toString('base64url');
}
