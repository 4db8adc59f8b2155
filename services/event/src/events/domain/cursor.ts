import { RuleViolation } from './rule-violation';

/** Opaque listing cursor over the sort key (startsAt, id). */
export interface ListingPosition {
  startsAt: Date;
  id: string;
}

export function encodeCursor(position: ListingPosition): string {
  return Buffer.from(JSON.stringify([position.startsAt.getTime(), position.id]), 'utf8').toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string, field = 'after'): ListingPosition {
  const bad = () => new RuleViolation(field, 'Invalid cursor');
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'number' ||
    !Number.isSafeInteger(parsed[0]) ||
    typeof parsed[1] !== 'string' ||
    parsed[1].length === 0 ||
    parsed[1].length > 64
  ) {
    throw bad();
  }
  // A safe integer may still lie outside what a Date holds (±8.64e15 ms): such a position is no cursor of ours.
  const startsAt = new Date(parsed[0]);
  if (Number.isNaN(startsAt.getTime())) throw bad();
  return { startsAt, id: parsed[1] };
}
