import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './cursor';
import { RuleViolation } from './rule-violation';
import { queryTerms, searchTermsFor } from './search-terms';

describe('search terms', () => {
  it('stores lowercase prefixes without diacritics', () => {
    const terms = searchTermsFor(['Fête de la Musique', 'Lyon']);
    expect(terms).toEqual(
      expect.arrayContaining(['fe', 'fet', 'fete', 'musique', 'mu', 'ly', 'lyon', 'de', 'la']),
    );
    expect(terms).not.toContain('f');
  });

  it('turns a query into prefix terms that the stored terms contain', () => {
    const stored = new Set(searchTermsFor(['Jazz à Vienne']));
    const q = queryTerms('  JAZZ vien ');
    expect(q).toEqual(['jazz', 'vien']);
    expect(q.every((t) => stored.has(t))).toBe(true);
    expect(queryTerms('rock').every((t) => stored.has(t))).toBe(false);
  });

  it('caps long words the same way on both sides', () => {
    const long = 'supercalifragilisticexpialidocious';
    const stored = new Set(searchTermsFor([long]));
    expect(queryTerms(long).every((t) => stored.has(t))).toBe(true);
  });
});

describe('listing cursor', () => {
  it('round-trips (startsAt, id)', () => {
    const at = new Date('2027-01-02T03:04:05.678Z');
    expect(decodeCursor(encodeCursor({ startsAt: at, id: 'abc' }))).toEqual({ startsAt: at, id: 'abc' });
  });

  it('refuses a forged cursor on field after', () => {
    const forged = Buffer.from('{"x":1}').toString('base64url');
    expect(() => decodeCursor(forged)).toThrow(RuleViolation);
    expect(() => decodeCursor('not a cursor!')).toThrow(RuleViolation);
  });
});
