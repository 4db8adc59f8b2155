import { describe, expect, it } from 'vitest';
import { RuleViolation } from './rule-violation';
import { allSeatIds, buildSeatMap, seatCount } from './seat-map';

describe('buildSeatMap', () => {
  it('expands seat counts into labels and ids like A-12-7', () => {
    const map = buildSeatMap(
      {
        sections: [
          {
            name: 'A',
            rows: [
              { name: '12', seatCount: 7 },
              { name: '13', seats: ['1', '2b'] },
            ],
          },
        ],
      },
      100,
    );
    expect(seatCount(map)).toBe(9);
    const ids = allSeatIds(map);
    expect(ids.has('A-12-7')).toBe(true);
    expect(ids.has('A-13-2b')).toBe(true);
    expect(ids.has('A-12-8')).toBe(false);
  });

  it('refuses a seat that appears twice', () => {
    expect(() =>
      buildSeatMap({ sections: [{ name: 'A', rows: [{ name: '1', seats: ['1', '1'] }] }] }, 10),
    ).toThrow(RuleViolation);
  });

  it('names a repeated section or row the way a person reads it', () => {
    const rows = [{ name: '1', seatCount: 1 }];
    const build = (sections: Parameters<typeof buildSeatMap>[0]['sections']) => () =>
      buildSeatMap({ sections }, 100);
    expect(
      build([
        { name: 'A', rows },
        { name: 'A', rows },
      ]),
    ).toThrow('Section "A" appears twice');
    expect(
      build([
        { name: 'a', rows },
        { name: 'A', rows },
      ]),
    ).toThrow('Section "A" differs from section "a" only by case');
    const twice = [
      { name: 'r1', seatCount: 1 },
      { name: 'r1', seatCount: 1 },
    ];
    expect(build([{ name: 'B', rows: twice }])).toThrow('Row "B-r1" appears twice');
    const cased = [
      { name: 'r1', seatCount: 1 },
      { name: 'R1', seatCount: 1 },
    ];
    expect(build([{ name: 'B', rows: cased }])).toThrow('Row "B-R1" differs from row "B-r1" only by case');
  });

  it('refuses labels containing the separator', () => {
    expect(() =>
      buildSeatMap({ sections: [{ name: 'A-1', rows: [{ name: '1', seatCount: 1 }] }] }, 10),
    ).toThrow(/letters or digits/);
  });

  it('refuses more seats than the venue capacity', () => {
    expect(() =>
      buildSeatMap({ sections: [{ name: 'A', rows: [{ name: '1', seatCount: 11 }] }] }, 10),
    ).toThrow(/capacity/);
  });

  it('refuses a row with both seats and a count', () => {
    expect(() =>
      buildSeatMap({ sections: [{ name: 'A', rows: [{ name: '1', seatCount: 2, seats: ['1'] }] }] }, 10),
    ).toThrow(/either/);
  });

  it('refuses sections, rows or seats whose labels differ only by case, on that label', () => {
    const field = (draft: Parameters<typeof buildSeatMap>[0]) => {
      try {
        buildSeatMap(draft, 100);
      } catch (error) {
        if (error instanceof RuleViolation) return error.field;
        throw error;
      }
      throw new Error('expected a RuleViolation');
    };
    const rows = [{ name: '1', seatCount: 2 }];
    expect(
      field({
        sections: [
          { name: 'a', rows },
          { name: 'A', rows },
        ],
      }),
    ).toBe('venue.seatMap.sections.1.name');
    expect(
      field({
        sections: [
          { name: 'A', rows },
          { name: 'B', rows },
          { name: 'b', rows },
        ],
      }),
    ).toBe('venue.seatMap.sections.2.name');
    expect(
      field({
        sections: [
          { name: 'A', rows },
          { name: 'A', rows },
        ],
      }),
    ).toBe('venue.seatMap.sections.1.name');
    expect(
      field({
        sections: [
          {
            name: 'A',
            rows: [
              { name: 'x', seatCount: 1 },
              { name: 'X', seatCount: 1 },
            ],
          },
        ],
      }),
    ).toBe('venue.seatMap.sections.0.rows.1.name');
    expect(field({ sections: [{ name: 'A', rows: [{ name: '1', seats: ['1a', '1A'] }] }] })).toBe(
      'venue.seatMap.sections.0.rows.0.seats',
    );
    expect(() =>
      buildSeatMap({ sections: [{ name: 'a', rows: [{ name: '1', seatCount: 1 }] }] }, 100),
    ).not.toThrow();
  });
});
