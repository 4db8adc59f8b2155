import { describe, expect, it } from 'vitest';
import { checkPersonName, NAME_MAX_LENGTH } from './person-name';

describe('checkPersonName', () => {
  it('trims and NFC-normalises', () => {
    expect(checkPersonName('  Zoe\u0301 Ade  ')).toEqual({ ok: true, name: 'Zoé Ade' });
    expect(checkPersonName('李 小龙')).toEqual({ ok: true, name: '李 小龙' });
  });

  it('still accepts names with marks, emoji presentation selectors and Hangul syllables', () => {
    expect(checkPersonName('Zoë').ok).toBe(true);
    expect(checkPersonName('김민준')).toEqual({ ok: true, name: '김민준' });
    expect(checkPersonName('Ana \u2764\uFE0F').ok).toBe(true);
    expect(checkPersonName('\u0928\u093F\u0915').ok).toBe(true);
  });

  it('refuses a name with nothing visible as a missing name', () => {
    expect(checkPersonName('\u3164\u3164')).toEqual({ ok: false, problem: 'Name is required' });
  });

  it.each([
    ['empty', '   '],
    ['too long', 'x'.repeat(NAME_MAX_LENGTH + 1)],
    ['a control character', 'Ada\u0007'],
    ['a right-to-left override (spoofs what the scanner shows)', 'Ada \u202Eecilop'],
    ['a bidi isolate', 'Ada \u2066x\u2069'],
    ['a zero-width space', 'Ad\u200Ba'],
    ['a line separator', 'Ada\u2028Lovelace'],
    ['only Hangul fillers (U+3164, shown blank)', '\u3164'],
    ['only halfwidth Hangul and choseong/jungseong fillers', ' \uFFA0\u115F\u1160 '],
    ['only a braille blank', '\u2800'],
    ['only combining marks', '\u0301\u0301'],
    ['only ideographic spaces and combining marks', '\u3000\u0301\u3000'],
  ])('refuses %s', (_label, raw) => {
    expect(checkPersonName(raw).ok).toBe(false);
  });
});
