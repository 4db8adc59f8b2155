export const NAME_MAX_LENGTH = 120;

/**
 * Refused in names: control characters (C0, DEL, C1), invisible format characters (bidirectional
 * overrides and isolates, zero-width spaces, the BOM...) and line/paragraph separators. A name is shown
 * to other people (the scanner's ID check, a transfer recipient), so it must read as what it is.
 */
const FORBIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * What does not show on its own: white space, combining marks (they only decorate a base character),
 * default-ignorable code points (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, variation selectors...)
 * and the blank braille pattern U+2800. A name made only of these is as blank as an empty one. They stay
 * allowed beside visible characters (accents, Indic vowel signs, emoji presentation selectors).
 */
const INVISIBLE = /[\p{White_Space}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/gu;

export type NameCheck = { ok: true; name: string } | { ok: false; problem: string };

/** Trims and NFC-normalises a display name, or says why it is refused. Length counts code points. */
export function checkPersonName(raw: string): NameCheck {
  const name = raw.normalize('NFC').trim();
  if (name.replace(INVISIBLE, '').length === 0) return { ok: false, problem: 'Name is required' };
  if ([...name].length > NAME_MAX_LENGTH)
    return { ok: false, problem: `Name must be at most ${NAME_MAX_LENGTH} characters` };
  if (FORBIDDEN.test(name)) return { ok: false, problem: 'Name contains invalid characters' };
  return { ok: true, name };
}
