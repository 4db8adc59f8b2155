import { describe, expect, it } from 'vitest';
import { checkPersonName, NAME_MAX_LENGTH } from './person-name';

describe('checkPersonName', () => {
  it('trims and NFC-normalises', () => {
    expect(checkPersonName('  Zoe\u0301 Ade  ')).toEqual({ ok: true, name: 'Zoé Ade' });
    expect(checkPersonName('李 小龙')).toEqual({ ok: true, name: '李 小龙' });
  });

  it.each([
    ['empty', '   '],
    ['too long', 'x'.repeat(NAME_MAX_LENGTH + 1)],
    ['a control character', 'Ada\u0007'],
    ['a right-to-left override (spoofs what the scanner shows)', 'Ada \u202Eecilop'],
    ['a bidi isolate', 'Ada \u2066x\u2069'],
    ['a zero-width space', 'Ad\u200Ba'],
    ['a line separator', 'Ada\u2028Lovelace'],
  ])('refuses %s', (_label, raw) => {
    expect(checkPersonName(raw).ok).toBe(false);
  });
});
