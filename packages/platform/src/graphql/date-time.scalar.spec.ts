import { Kind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DateTimeScalar, dateTimeProblem, parseRfc3339 } from './date-time.scalar';

describe('DateTime (RFC 3339 with an offset)', () => {
  it('accepts date-times with Z or a numeric offset, fractions included', () => {
    expect((parseRfc3339('2031-03-03T10:00:00Z') as Date).toISOString()).toBe('2031-03-03T10:00:00.000Z');
    expect((parseRfc3339('2031-03-03T11:30:00+01:30') as Date).toISOString()).toBe(
      '2031-03-03T10:00:00.000Z',
    );
    expect((parseRfc3339('2031-03-03t05:00:00.5-05:00') as Date).toISOString()).toBe(
      '2031-03-03T10:00:00.500Z',
    );
    expect((parseRfc3339('2028-02-29T00:00:00Z') as Date).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(DateTimeScalar.parseValue('2031-03-03T10:00:00.123456Z')).toEqual(
      new Date('2031-03-03T10:00:00.123Z'),
    );
  });

  it.each([
    [0],
    [1_900_000_000_000],
    ['March 3, 2031 10:00'],
    ['2031'],
    ['2031-03-03'],
    ['2031-03-03T10:00:00'],
    ['2031-03-03 10:00:00Z'],
    ['2031-03-03T10:00Z'],
    ['2031-02-30T10:00:00Z'],
    ['2030-02-29T10:00:00Z'],
    ['2031-13-01T10:00:00Z'],
    ['2031-04-31T10:00:00Z'],
    ['2031-03-03T24:00:00Z'],
    ['2031-03-03T10:60:00Z'],
    ['2031-03-03T10:00:60Z'],
    ['2031-03-03T10:00:00+24:00'],
    ['0000-01-01T00:00:00Z'],
    [' 2031-03-03T10:00:00Z'],
    [null],
  ])('refuses %j', (value) => {
    expect(dateTimeProblem(value)).toEqual(expect.any(String));
    expect(() => DateTimeScalar.parseValue(value)).toThrow(/DateTime/);
  });

  it('refuses non-string literals and bad string literals; serializes Dates as UTC ISO strings', () => {
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.INT, value: '0' })).toThrow(/DateTime/);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: '2031-02-30T10:00:00Z' })).toThrow(
      /calendar date/,
    );
    expect(DateTimeScalar.serialize(new Date('2031-03-03T10:00:00Z'))).toBe('2031-03-03T10:00:00.000Z');
    expect(() => DateTimeScalar.serialize(new Date(Number.NaN))).toThrow();
    expect(DateTimeScalar.name).toBe('DateTime');
  });
});
