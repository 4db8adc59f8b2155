import { emailSchema } from '@ticketing/contracts';

export const EMAIL_MAX_LENGTH = 254;

/** Lower-cases and trims; the stored, unique form of an address. */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/**
 * True when the (already normalised) address is acceptable. Uses the contracts' rule so that every
 * stored address can also be published in `user.registered`.
 */
export function isValidEmail(email: string): boolean {
  return email.length <= EMAIL_MAX_LENGTH && emailSchema.safeParse(email).success;
}
