// Building blocks shared by the envelope and every event schema.
import { z } from 'zod';

const OBJECT_ID = /^[0-9a-fA-F]{24}$/;
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** An entity id: a MongoDB ObjectId in hex (24 characters) or a UUID. */
export const idSchema = z
  .string()
  .refine((s) => OBJECT_ID.test(s) || UUID.test(s), { message: 'Expected an ObjectId (24 hex) or a UUID' });

/**
 * A seat id as the event service assigns it (for example `A:12:7` for section A, row 12, seat 7).
 * Letters, digits, `_`, `-` and `:` only, so it is safe as a Redis key part and as a MongoDB field name.
 */
export const seatIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_:-]{0,63}$/, 'Invalid seat id');

/** A list of distinct seat ids, at least one. */
export const seatIdsSchema = z
  .array(seatIdSchema)
  .min(1)
  .refine((ids) => new Set(ids).size === ids.length, { message: 'Seat ids must be distinct' });

let currencies: ReadonlySet<string> | undefined;

/** True for an ISO 4217 code in current use (three upper-case letters known to the runtime's ICU data). */
export function isCurrencyCode(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  currencies ??= new Set(Intl.supportedValuesOf('currency'));
  return currencies.has(code);
}

export const currencySchema = z
  .string()
  .refine(isCurrencyCode, { message: 'Expected an ISO 4217 currency code' });

/**
 * The highest price one ticket may have, in minor units (1,000,000.00 in a two-decimal currency). Every
 * place a price is set refuses more (ticket types, price tiers, demand bounds), so that sums of many tickets
 * (an order, a type's revenue) stay far inside what a double holds exactly.
 */
export const MAX_PRICE_MINOR = 100_000_000;

/** An amount of money in integer minor units (cents for EUR/USD) with its currency. Never negative. */
export const moneySchema = z.object({
  amount: z.int().min(0),
  currency: currencySchema,
});
export type Money = z.infer<typeof moneySchema>;

/** An ISO-8601 instant in UTC with the `Z` suffix, as `Date.prototype.toISOString()` writes it. */
export const instantSchema = z.iso.datetime();

/** True for a time zone name the runtime knows (IANA, for example `Europe/Berlin`, or `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneSchema = z.string().min(1).refine(isTimeZone, { message: 'Expected an IANA time zone' });

export const emailSchema = z.email().max(254);

/** A human-readable name or title: trimmed, non-empty. */
export const textSchema = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => s.trim() === s, { message: 'Must not start or end with spaces' });

/** Monotonic per-aggregate version: consumers drop an update whose version is not above the one they hold. */
export const aggregateVersionSchema = z.int().min(1);

export const positiveIntSchema = z.int().min(1);

export const ROLES = ['ATTENDEE', 'ORGANIZER', 'STAFF', 'ADMIN'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** Compares two ISO instants; both must already be valid. */
export function isBefore(a: string, b: string): boolean {
  return Date.parse(a) < Date.parse(b);
}
