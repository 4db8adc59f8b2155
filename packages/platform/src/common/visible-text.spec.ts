import { describe, expect, it } from 'vitest';
import { hasVisibleText } from './visible-text';

describe('hasVisibleText', () => {
  it.each([
    ['empty', ''],
    ['spaces, a tab and a line break', ' \t\n '],
    ['no-break and ideographic spaces', '\u00A0\u3000'],
    ['a combining acute accent', '\u0301'],
    ['combining grave and acute accents', '\u0300\u0301'],
    ['the Hangul filler U+3164', '\u3164'],
    ['three Hangul fillers', '\u3164\u3164\u3164'],
    ['the Hangul choseong filler U+115F', '\u115F'],
    ['the Hangul jungseong filler U+1160', '\u1160'],
    ['the halfwidth Hangul filler U+FFA0', '\uFFA0'],
    ['blank braille patterns', '\u2800\u2800'],
    ['a zero-width space and a word joiner', '\u200B\u2060'],
    ['a variation selector and a combining grapheme joiner', '\uFE0F\u034F'],
    ['tag characters', '\u{E0041}\u{E0042}'],
    ['all of them together', ' \u3164\u0301\u2800\uFFA0\u115F '],
  ])('is false for %s', (_label, text) => {
    expect(hasVisibleText(text)).toBe(false);
  });

  it.each([
    ['a plain word', 'Lyon'],
    ['accents, precomposed or combining', 'Zoé Ade\u0301'],
    ['a letter after a filler', '\u3164a'],
    ['a single digit', '7'],
    ['punctuation', '!'],
    ['an emoji with its presentation selector', '\u2764\uFE0F'],
    ['an emoji ZWJ sequence', '\u{1F469}\u200D\u{1F3A4}'],
    ['Devanagari with vowel signs', 'निकिता'],
    ['Tamil', 'சென்னை'],
    ['Hangul syllables', '서울'],
    ['Chinese', '上海'],
    ['a spacing accent', '\u00B4'],
    ['a braille pattern with dots', '\u2801'],
  ])('is true for %s', (_label, text) => {
    expect(hasVisibleText(text)).toBe(true);
  });

  it('can be called again and again (no regex state between calls)', () => {
    for (let i = 0; i < 3; i += 1) {
      expect(hasVisibleText('ab')).toBe(true);
      expect(hasVisibleText('\u3164')).toBe(false);
    }
  });
});
