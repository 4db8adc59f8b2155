import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

// RFC 3339 §5.6 date-time: full-date "T" full-time, the offset mandatory ("Z" or ±hh:mm).
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;
const EXAMPLE = '2031-03-03T10:00:00Z or 2031-03-03T11:00:00+01:00';

const daysInMonth = (year: number, month: number) =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : [4, 6, 9, 11].includes(month)
      ? 30
      : 31;

/**
 * The instant an RFC 3339 date-time names, or why it is not one: exactly `YYYY-MM-DDThh:mm:ss[.frac]` with
 * `Z` or `±hh:mm`, a real calendar date (no 2031-02-30), hours 00–23, minutes and seconds 00–59 (a leap
 * second cannot be stored), year 0001 or later. Numbers, other formats and strings without an offset
 * are refused.
 */
export function parseRfc3339(value: unknown): Date | string {
  if (typeof value !== 'string') return `must be an RFC 3339 date-time string (e.g. ${EXAMPLE})`;
  const m = RFC3339.exec(value);
  if (!m) return `must be an RFC 3339 date-time with an offset (e.g. ${EXAMPLE})`;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
    return `is not a calendar date (${m[1]}-${m[2]}-${m[3]})`;
  if (hour > 23 || minute > 59 || second > 59) return `is not a time of day (${m[4]}:${m[5]}:${m[6]})`;
  let offsetMinutes = 0;
  if (m[9]) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return `has an impossible offset (${m[9]}${m[10]}:${m[11]})`;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const millis = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, millis);
  return new Date(utc.getTime() - offsetMinutes * 60_000);
}

/** Why a DateTime input value is refused (null when it is a valid RFC 3339 date-time). */
export function dateTimeProblem(value: unknown): string | null {
  const parsed = parseRfc3339(value);
  return typeof parsed === 'string' ? parsed : null;
}

function parseOrThrow(value: unknown): Date {
  const parsed = parseRfc3339(value);
  if (typeof parsed === 'string') throw new GraphQLError(`DateTime ${parsed}`);
  return parsed;
}

/**
 * `DateTime` for every subgraph (createSubgraphModule maps JavaScript `Date` to it): inputs must be RFC
 * 3339 date-times with an offset (see parseRfc3339); outputs are ISO strings in UTC. Same name and
 * description as Nest's built-in scalar, so the composed schema does not change.
 */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description:
    'A date-time string at UTC, such as 2019-12-03T09:54:33Z, compliant with the date-time format.',
  serialize(value) {
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
      return value.toISOString();
    }
    if (typeof value === 'string') return parseOrThrow(value).toISOString();
    if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
    throw new GraphQLError('DateTime cannot represent this value');
  },
  parseValue: parseOrThrow,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING)
      throw new GraphQLError(`DateTime must be an RFC 3339 date-time string (e.g. ${EXAMPLE})`);
    return parseOrThrow(ast.value);
  },
});
