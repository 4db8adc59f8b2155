export function money(amountMinor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amountMinor / 100);
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}

/** A date-time shown in the event's own time zone, named (e.g. "EDT") so a buyer elsewhere is not misled. */
export function when(iso: string, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(
      undefined,
      timeZone
        ? {
            year: 'numeric',
            month: 'short',
            day: 'numeric',
            hour: 'numeric',
            minute: '2-digit',
            timeZone,
            timeZoneName: 'short',
          }
        : { dateStyle: 'medium', timeStyle: 'short' },
    ).format(new Date(iso));
  } catch {
    return new Date(iso).toLocaleString();
  }
}

export function titleCase(word: string): string {
  return word.charAt(0) + word.slice(1).toLowerCase().replace(/_/g, ' ');
}

/** `<input type="datetime-local">` value (local time) <-> ISO instant. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The wall-clock fields of `instant` in `timeZone`, as if they were UTC (ms); throws on an unknown zone. */
function wallClockAsUtc(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

function knownZone(timeZone: string | undefined): timeZone is string {
  if (!timeZone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * `<input type="datetime-local">` value for an instant, as a clock in the event's time zone shows it (the
 * browser's own zone when `timeZone` is unknown), so an organizer types the times the venue's clocks show.
 */
export function toZonedInput(iso: string | null | undefined, timeZone: string | undefined): string {
  if (!iso) return '';
  if (!knownZone(timeZone)) return toLocalInput(iso);
  const wall = new Date(wallClockAsUtc(new Date(iso).getTime(), timeZone));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}`;
}

/** The instant a `datetime-local` value names in `timeZone` (the browser's own zone when it is unknown). */
export function fromZonedInput(value: string, timeZone: string | undefined): string | null {
  if (!knownZone(timeZone)) return fromLocalInput(value);
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // The zone's offset at a first guess, then again at the answer, which settles the days clocks change.
  const first = wall - (wallClockAsUtc(wall, timeZone) - wall);
  const instant = wall - (wallClockAsUtc(first, timeZone) - first);
  return Number.isNaN(instant) ? null : new Date(instant).toISOString();
}

/** A random key for checkout idempotency (8-128 of A-Z a-z 0-9 _ -). */
export function newIdempotencyKey(): string {
  return `web_${crypto.randomUUID().replace(/-/g, '')}`;
}
