import { COMMON_PASSWORDS } from './common-passwords';

export const PASSWORD_MIN_LENGTH = 12;
/** Long enough for any passphrase or password manager (the issue asks for at least 64). */
export const PASSWORD_MAX_LENGTH = 256;

/** Returns why a password is refused, or `null` when it is acceptable. Length counts code points. */
export function passwordProblem(password: string, email?: string): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const folded = password.trim().toLowerCase();
  if (COMMON_PASSWORDS.has(folded)) return 'is too common; choose another';
  if (new Set(folded).size < 4) return 'is too repetitive; choose another';
  if (email !== undefined && folded === email.trim().toLowerCase()) return 'must not be your email address';
  return null;
}
