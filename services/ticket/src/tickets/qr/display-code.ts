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
