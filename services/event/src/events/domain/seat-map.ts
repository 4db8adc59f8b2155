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
 * Expands and checks a seat map: labels well formed, rows with either seats or a count, every seat id
 * unique in the event, and no more seats than the venue holds.
 */
export function buildSeatMap(draft: SeatMapDraft, capacity: number, field = 'venue.seatMap'): SeatMapShape {
  rule(draft.sections.length > 0, field, 'A seat map needs at least one section');
  const seen = new Set<string>();
  const sectionNames = new Set<string>();
  const sections: SeatSectionShape[] = [];
  for (const section of draft.sections) {
    rule(
      LABEL_PATTERN.test(section.name),
      field,
      `Section name "${section.name}" must be 1-10 letters or digits`,
    );
    rule(!sectionNames.has(section.name), field, `Section "${section.name}" appears twice`);
    sectionNames.add(section.name);
    rule(section.rows.length > 0, field, `Section "${section.name}" has no rows`);
    const rowNames = new Set<string>();
    const rows: SeatRowShape[] = [];
    for (const row of section.rows) {
      rule(LABEL_PATTERN.test(row.name), field, `Row name "${row.name}" must be 1-10 letters or digits`);
      rule(!rowNames.has(row.name), field, `Row "${section.name}-${row.name}" appears twice`);
      rowNames.add(row.name);
      const hasList = Array.isArray(row.seats) && row.seats.length > 0;
      const hasCount = typeof row.seatCount === 'number';
      rule(hasList !== hasCount, field, `Row "${section.name}-${row.name}" needs either seats or seatCount`);
      if (hasCount) {
        const count = row.seatCount as number;
        rule(
          Number.isInteger(count) && count >= 1,
          field,
          `Row "${section.name}-${row.name}" needs a positive seatCount`,
        );
        rule(seen.size + count <= MAX_SEATS, field, `A seat map holds at most ${MAX_SEATS} seats`);
      }
      const labels = hasList
        ? (row.seats as string[])
        : Array.from({ length: row.seatCount as number }, (_, i) => String(i + 1));
      for (const label of labels) {
        rule(LABEL_PATTERN.test(label), field, `Seat label "${label}" must be 1-10 letters or digits`);
        const id = seatId(section.name, row.name, label);
        rule(!seen.has(id), field, `Seat ${id} appears twice`);
        seen.add(id);
      }
      rule(seen.size <= MAX_SEATS, field, `A seat map holds at most ${MAX_SEATS} seats`);
      rows.push({ name: row.name, seats: labels });
    }
    sections.push({ name: section.name, rows });
  }
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
