export function money(amountMinor: number, currency: string): string {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amountMinor / 100);
  } catch {
    return `${(amountMinor / 100).toFixed(2)} ${currency}`;
  }
}

/**
 * A date-time shown in the event's own time zone, named (e.g. "EDT") so a buyer elsewhere is not misled;
 * without one, in the browser's zone, named too (transfers, the dashboard, the scanner).
 */
export function when(iso: string, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, {
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      ...(timeZone ? { timeZone } : {}),
      timeZoneName: 'short',
    }).format(new Date(iso));
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

/** "1 ticket", "2 tickets": a count with its noun (`many` when the plural is not noun + "s"). */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** Amounts an API message gives in minor units ("2500 minor units") as money of `currency` ("€25.00"). */
export function moneyInText(text: string, currency: string): string {
  return text.replace(/(-?\d+) minor units/g, (_, n: string) => money(Number(n), currency));
}

/** What a form knows of one of its fields: its label and the API's limits, to word a refusal for a person. */
export interface FieldRule {
  label: string;
  /** Length limits of a text field. */
  minLength?: number;
  maxLength?: number;
  /** Range of a number field. */
  min?: number;
  max?: number;
}

function lengthSentence({ label, minLength = 0, maxLength }: FieldRule): string {
  if (maxLength === undefined) return `${label} must have at least ${count(minLength, 'character')}.`;
  if (minLength <= 0) return `${label} must have at most ${count(maxLength, 'character')}.`;
  if (minLength === 1) return `${label} cannot be empty (at most ${count(maxLength, 'character')}).`;
  return `${label} must have ${minLength} to ${count(maxLength, 'character')}.`;
}

function rangeSentence({ label, min, max }: FieldRule): string {
  if (min !== undefined && max !== undefined)
    return `${label} must be between ${min.toLocaleString()} and ${max.toLocaleString()}.`;
  if (max !== undefined) return `${label} must be at most ${max.toLocaleString()}.`;
  if (min !== undefined) return `${label} must be at least ${min.toLocaleString()}.`;
  return `${label} is out of range.`;
}

/**
 * An API refusal of one field in words for a person: graphql-js's coercion errors ("Variable "$input" got an
 * invalid value at …; Int cannot represent non 32-bit signed integer value") and the limits the services state
 * ("Title must be at least 3 characters long", or class-validator's own "title must be longer than or equal to
 * 3 characters") become a sentence naming the field's label and both its limits. Any other message (the services' own sentences) is returned as it is.
 */
export function plainInputMessage(message: string, rule?: FieldRule): string {
  const label = rule?.label ?? 'This value';
  const coercion = /^Variable "\$\w+" got an invalid value(?: at "[^"]*")?; ([\s\S]*)$/.exec(message);
  if (coercion) {
    const why = coercion[1]!;
    if (/cannot represent non 32-bit signed integer|cannot represent non-integer/.test(why))
      return rule?.min !== undefined || rule?.max !== undefined
        ? rangeSentence({ label, min: rule.min, max: rule.max }).replace(
            ' must be ',
            ' must be a whole number ',
          )
        : `${label} must be a whole number of a sensible size.`;
    if (/does not exist in "\w+" enum/.test(why))
      return `${label} has a value that is not one of the choices.`;
    return `${label} is not valid.`;
  }
  // The services word class-validator's limits plainly ("Title must be at least 3 characters long"); the same
  // sentence is said here with the field's own label and both of its limits.
  const plainLength = /^[\w ]+ must be at (least|most) (\d+) characters long$/.exec(message);
  if (plainLength) {
    const n = Number(plainLength[2]);
    const least = plainLength[1] === 'least';
    return lengthSentence({
      label,
      minLength: rule?.minLength ?? (least ? n : 0),
      maxLength: rule?.maxLength ?? (least ? undefined : n),
    });
  }
  const plainRange = /^[\w ]+ must be at (least|most) (-?[\d.]+)$/.exec(message);
  if (plainRange) {
    const n = Number(plainRange[2]);
    return rangeSentence({
      label,
      min: rule?.min ?? (plainRange[1] === 'least' ? n : undefined),
      max: rule?.max ?? (plainRange[1] === 'most' ? n : undefined),
    });
  }
  if (/^[\w ]+ must be a whole number$/.test(message)) return `${label} must be a whole number.`;
  if (/^\S+ must be (longer|shorter) than or equal to \d+ characters$/.test(message)) {
    const n = Number(/(\d+) characters$/.exec(message)![1]);
    const longer = message.includes(' longer ');
    return lengthSentence({
      label,
      minLength: rule?.minLength ?? (longer ? n : 0),
      maxLength: rule?.maxLength ?? (longer ? undefined : n),
    });
  }
  const range = /^\S+ must not be (greater|less) than (-?[\d.]+)$/.exec(message);
  if (range) {
    const n = Number(range[2]);
    return rangeSentence({
      label,
      min: rule?.min ?? (range[1] === 'less' ? n : undefined),
      max: rule?.max ?? (range[1] === 'greater' ? n : undefined),
    });
  }
  if (/^\S+ must be an integer number$/.test(message)) return `${label} must be a whole number.`;
  if (/^\S+ must be (a string|one of the following values|a valid enum value)/.test(message))
    return `${label} is not valid.`;
  return message;
}

/**
 * The browser's own verdict on an input (its `min`, `max`, `step`, `maxLength`), worded for a person, or null
 * when it is valid or only empty (a required field's own message is the browser's).
 */
export function validityMessage(
  input: HTMLInputElement | HTMLTextAreaElement,
  label?: string,
): string | null {
  const name = label ?? input.labels?.[0]?.textContent?.trim() ?? 'This value';
  const v = input.validity;
  if (v.badInput) return `${name}: enter a number.`;
  if (v.rangeOverflow || v.rangeUnderflow) {
    const bound = (s: string) => (s === '' ? undefined : Number(s));
    const attrs = input as HTMLInputElement;
    return rangeSentence({ label: name, min: bound(attrs.min), max: bound(attrs.max) });
  }
  if (v.stepMismatch) {
    const step = (input as HTMLInputElement).step;
    const decimals = /^0\.(0*)1$/.exec(step);
    return decimals
      ? `${name} can have at most ${count(decimals[1]!.length + 1, 'decimal')}.`
      : `${name} must be a whole number.`;
  }
  if (v.tooLong) return `${name} must have at most ${count(input.maxLength, 'character')}.`;
  return null;
}

/**
 * A seat id (`<section>-<row>-<seat>`, as the seat map builds them; a section name may hold dashes) in words:
 * `Stalls-1-2` → "Stalls, row 1, seat 2". An id of another shape is returned as it is.
 */
export function seatLabel(id: string): string {
  const parts = id.split('-');
  if (parts.length < 3) return id;
  const seat = parts.pop()!;
  const row = parts.pop()!;
  return `${parts.join('-')}, row ${row}, seat ${seat}`;
}
