import { rule } from './rule-violation';

/** Section, row and seat labels: short, and never containing the `-` that joins them into a seat id. */
export const LABEL_PATTERN = /^[A-Za-z0-9]{1,10}$/;
export const MAX_SEATS = 100_000;

export interface SeatRowShape {
  name: string;
  seats: string[];
}
export interface SeatSectionShape {
  name: string;
  rows: SeatRowShape[];
}
export interface SeatMapShape {
  sections: SeatSectionShape[];
}

/** What an organizer sends: a row lists its seat labels or gives a count (labels 1..count). */
export interface SeatRowDraft {
  name: string;
  seats?: string[] | null;
  seatCount?: number | null;
}
export interface SeatMapDraft {
  sections: Array<{ name: string; rows: SeatRowDraft[] }>;
}

export function seatId(section: string, row: string, seat: string): string {
  return `${section}-${row}-${seat}`;
}

/**
 * Checks a section's or a row's name (well formed, `at` is its field) and records it in `taken` (lower-cased
 * name → the name as given): the same name twice, or one differing only by case, is refused. `prefix` is what
 * a person reads before the name (a row's section).
 */
function claimName(
  kind: 'Section' | 'Row',
  name: string,
  prefix: string,
  taken: Map<string, string>,
  at: string,
) {
  rule(LABEL_PATTERN.test(name), at, `${kind} name "${name}" must be 1-10 letters or digits`);
  const earlier = taken.get(name.toLowerCase());
  if (earlier !== undefined)
    rule(
      false,
      at,
      earlier === name
        ? `${kind} "${prefix}${name}" appears twice`
        : `${kind} "${prefix}${name}" differs from ${kind.toLowerCase()} "${prefix}${earlier}" only by case`,
    );
  taken.set(name.toLowerCase(), name);
}

/**
 * Expands and checks a seat map: labels well formed, rows with either seats or a count, every seat id
 * unique in the event, and no more seats than the venue holds. Labels are compared ignoring case: sections `a`
 * and `A` (seat ids `a-1-1` and `A-1-1`) would be two places a person, a printed ticket or a scanner operator
 * cannot tell apart, so the second one is refused, on its own field (`<field>.sections.<i>.name`,
 * `….rows.<j>.name`, `….rows.<j>.seats`).
 */
export function buildSeatMap(draft: SeatMapDraft, capacity: number, field = 'venue.seatMap'): SeatMapShape {
  rule(draft.sections.length > 0, field, 'A seat map needs at least one section');
  /** Lower-cased seat id → the id as given. */
  const seen = new Map<string, string>();
  const sectionNames = new Map<string, string>();
  const sections: SeatSectionShape[] = [];
  draft.sections.forEach((section, i) => {
    const sectionField = `${field}.sections.${i}`;
    claimName('Section', section.name, '', sectionNames, `${sectionField}.name`);
    rule(section.rows.length > 0, `${sectionField}.rows`, `Section "${section.name}" has no rows`);
    const rowNames = new Map<string, string>();
    const rows: SeatRowShape[] = [];
    section.rows.forEach((row, j) => {
      const rowField = `${sectionField}.rows.${j}`;
      const rowId = `${section.name}-${row.name}`;
      claimName('Row', row.name, `${section.name}-`, rowNames, `${rowField}.name`);
      const hasList = Array.isArray(row.seats) && row.seats.length > 0;
      const hasCount = typeof row.seatCount === 'number';
      rule(hasList !== hasCount, field, `Row "${rowId}" needs either seats or seatCount`);
      if (hasCount) {
        const count = row.seatCount as number;
        rule(Number.isInteger(count) && count >= 1, field, `Row "${rowId}" needs a positive seatCount`);
        rule(seen.size + count <= MAX_SEATS, field, `A seat map holds at most ${MAX_SEATS} seats`);
      }
      const labels = hasList
        ? (row.seats as string[])
        : Array.from({ length: row.seatCount as number }, (_, k) => String(k + 1));
      for (const label of labels) {
        rule(
          LABEL_PATTERN.test(label),
          `${rowField}.seats`,
          `Seat label "${label}" must be 1-10 letters or digits`,
        );
        const id = seatId(section.name, row.name, label);
        const same = seen.get(id.toLowerCase());
        rule(
          same === undefined,
          `${rowField}.seats`,
          same === id ? `Seat ${id} appears twice` : `Seat ${id} differs from seat ${same} only by case`,
        );
        seen.set(id.toLowerCase(), id);
      }
      rule(seen.size <= MAX_SEATS, field, `A seat map holds at most ${MAX_SEATS} seats`);
      rows.push({ name: row.name, seats: labels });
    });
    sections.push({ name: section.name, rows });
  });
  rule(
    seen.size <= capacity,
    field,
    `The seat map has ${seen.size} seats, more than the venue capacity ${capacity}`,
  );
  return { sections };
}

export function allSeatIds(map: SeatMapShape | null | undefined): Set<string> {
  const ids = new Set<string>();
  if (!map) return ids;
  for (const section of map.sections) {
    for (const row of section.rows) {
      for (const seat of row.seats) ids.add(seatId(section.name, row.name, seat));
    }
  }
  return ids;
}

export function seatCount(map: SeatMapShape | null | undefined): number {
  if (!map) return 0;
  let count = 0;
  for (const section of map.sections) for (const row of section.rows) count += row.seats.length;
  return count;
}
