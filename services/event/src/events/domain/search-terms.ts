/**
 * Search without `$text`: every searchable word is stored lowercased, without diacritics, together with
 * its prefixes (from MIN_PREFIX characters up to MAX_TERM characters) in a multikey `searchTerms` array.
 * A query word then matches by plain equality on that array, and several words combine with `$all`,
 * which a normal index on `searchTerms` serves.
 */
export const MIN_PREFIX = 2;
export const MAX_TERM = 20;
export const MAX_QUERY_WORDS = 6;

export function normalize(value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .trim();
}

export function words(value: string): string[] {
  return normalize(value)
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/** The terms stored for a document built from its searchable texts. */
export function searchTermsFor(texts: ReadonlyArray<string | undefined | null>): string[] {
  const terms = new Set<string>();
  for (const text of texts) {
    if (!text) continue;
    for (const word of words(text)) {
      const capped = word.slice(0, MAX_TERM);
      if (capped.length < MIN_PREFIX) {
        terms.add(capped);
        continue;
      }
      for (let end = MIN_PREFIX; end <= capped.length; end += 1) terms.add(capped.slice(0, end));
    }
  }
  return [...terms];
}

/**
 * The terms a free-text query must all match. Words are capped the same way stored terms are, one-letter
 * words are dropped (they would match almost everything) and only the first MAX_QUERY_WORDS count.
 */
export function queryTerms(text: string): string[] {
  const unique = new Set<string>();
  for (const word of words(text)) {
    if (word.length < MIN_PREFIX) continue;
    unique.add(word.slice(0, MAX_TERM));
    if (unique.size === MAX_QUERY_WORDS) break;
  }
  return [...unique];
}

/** The key a city is stored and filtered by (`cityKey`): lower-cased, accent-free. */
export function cityKey(city: string): string {
  return normalize(city);
}

/** Whether a city has a key a listing can find it by: at least one letter or digit once normalised. */
export function hasCityKey(city: string): boolean {
  return /[\p{L}\p{N}]/u.test(cityKey(city));
}
