import { emailSchema } from '@ticketing/contracts';

export const EMAIL_MAX_LENGTH = 254;
/** RFC 5321 §4.5.3.1.1: at most 64 octets before the `@`. */
export const EMAIL_LOCAL_PART_MAX_OCTETS = 64;

/** Lower-cases and trims; the stored, unique form of an address. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/**
 * True when the (already normalised) address is acceptable. Uses the contracts' rule so that every
 * stored address can also be published in `user.registered`, plus the RFC 5321 limit of the local part
 * (an address no mail server accepts could never be reached).
 */
export function isValidEmail(email: string): boolean {
  const at = email.lastIndexOf('@');
  return (
    email.length <= EMAIL_MAX_LENGTH &&
    at > 0 &&
    Buffer.byteLength(email.slice(0, at), 'utf8') <= EMAIL_LOCAL_PART_MAX_OCTETS &&
    emailSchema.safeParse(email).success
  );
}
