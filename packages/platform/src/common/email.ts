import { emailSchema } from '@ticketing/contracts';

export const EMAIL_MAX_LENGTH = 254;
/** RFC 5321 §4.5.3.1.1: at most 64 octets before the `@`. */
export const EMAIL_LOCAL_PART_MAX_OCTETS = 64;

/** Lower-cases and trims: the stored, comparable form of an address. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/**
 * True when the (already normalised) address is one an account can have: the contracts' rule, so that every
 * stored address can also be published (`user.registered`, `event.staff-changed`), plus the RFC 5321 limit of
 * the local part (an address no mail server accepts could never be reached). Sign-up and staff lists both use
 * it, so a staff member added by email can always sign up with that address.
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
