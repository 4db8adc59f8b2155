/**
 * What does not show on its own: white space, combining marks (they only decorate a base character),
 * default-ignorable code points (the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, variation selectors, tags,
 * zero-width characters...) and the blank braille pattern U+2800, which fonts draw as an empty cell. They stay
 * allowed beside visible characters (accents, Indic vowel signs, emoji presentation selectors): only a text made
 * of nothing else is blank.
 */
const INVISIBLE = /[\p{White_Space}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/gu;

/**
 * True when `text` shows at least one character: the rule for every text a person must read (a name, a venue,
 * a ticket type, a cancellation reason). A text of only the characters above reads as blank, like an empty one.
 */
export function hasVisibleText(text: string): boolean {
  return text.replace(INVISIBLE, '').length > 0;
}
