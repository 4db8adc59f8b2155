import { hasVisibleText } from '@ticketing/platform';

export const NAME_MAX_LENGTH = 120;

/**
 * Refused in names: control characters (C0, DEL, C1), invisible format characters (bidirectional
 * overrides and isolates, zero-width spaces, the BOM...) and line/paragraph separators. A name is shown
 * to other people (the scanner's ID check, a transfer recipient), so it must read as what it is.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export type NameCheck = { ok: true; name: string } | { ok: false; problem: string };

/** Trims and NFC-normalises a display name, or says why it is refused. Length counts code points. */
export function checkPersonName(raw: string): NameCheck {
  const name = raw.normalize('NFC').trim();
  // Nothing visible (only white space, combining marks, fillers...) is as blank as an empty name.
  if (!hasVisibleText(name)) return { ok: false, problem: 'Name is required' };
  if ([...name].length > NAME_MAX_LENGTH)
    return { ok: false, problem: `Name must be at most ${NAME_MAX_LENGTH} characters` };
  if (FORBIDDEN.test(name)) return { ok: false, problem: 'Name contains invalid characters' };
  return { ok: true, name };
}
