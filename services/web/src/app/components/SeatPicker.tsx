import type { SeatMap } from '../api/types';

interface Props {
  seatMap: SeatMap | null;
  /** Seats this ticket type sells. */
  sellable: string[];
  /** Seats sold or held by someone else: shown, not choosable. */
  taken?: string[];
  selected: string[];
  max: number;
  onChange(seats: string[]): void;
}

interface Row {
  section: string;
  row: string;
  seats: { id: string; label: string }[];
}

/** Rows of seats in the venue's order; without a seat map, grouped from the `<section>-<row>-<seat>` ids. */
function rowsOf(seatMap: SeatMap | null, sellable: string[]): Row[] {
  const allowed = new Set(sellable);
  if (seatMap) {
    return seatMap.sections.flatMap((section) =>
      section.rows
        .map((row) => ({
          section: section.name,
          row: row.name,
          seats: row.seats
            .map((label) => ({ id: `${section.name}-${row.name}-${label}`, label }))
            .filter((seat) => allowed.has(seat.id)),
        }))
        .filter((row) => row.seats.length > 0),
    );
  }
  const rows = new Map<string, Row>();
  for (const id of sellable) {
    const parts = id.split('-');
    const label = parts.pop() ?? id;
    const row = parts.pop() ?? '';
    const section = parts.join('-');
    const key = `${section}|${row}`;
    if (!rows.has(key)) rows.set(key, { section, row, seats: [] });
    rows.get(key)!.seats.push({ id, label });
  }
  return [...rows.values()];
}

/** A grid of toggle buttons, one per seat, usable with keyboard and screen readers. */
export function SeatPicker({ seatMap, sellable, taken = [], selected, max, onChange }: Props) {
  const rows = rowsOf(seatMap, sellable);
  const chosen = new Set(selected);
  const unavailable = new Set(taken);
  function toggle(id: string) {
    if (chosen.has(id)) onChange(selected.filter((s) => s !== id));
    else if (selected.length < max) onChange([...selected, id]);
  }
  return (
    <fieldset className="seat-picker">
      <legend>
        Choose up to {max} seat{max === 1 ? '' : 's'} ({selected.length} selected)
      </legend>
      {taken.length ? (
        <p className="seat-legend">
          <span>
            <span className="seat-swatch seat-swatch-taken" aria-hidden="true" /> {taken.length} taken (sold
            or on hold)
          </span>
        </p>
      ) : null}
      <div className="stage" aria-hidden="true">
        Stage
      </div>
      {rows.map((row) => (
        <div className="seat-row" key={`${row.section}-${row.row}`}>
          <span className="seat-row-label">
            {row.section} · row {row.row}
          </span>
          <div className="seat-row-seats">
            {row.seats.map((seat) => {
              const isTaken = unavailable.has(seat.id) && !chosen.has(seat.id);
              return (
                <button
                  key={seat.id}
                  type="button"
                  className={isTaken ? 'seat seat-taken' : 'seat'}
                  aria-pressed={chosen.has(seat.id)}
                  aria-label={`Section ${row.section}, row ${row.row}, seat ${seat.label}${isTaken ? ', taken' : ''}`}
                  data-taken={isTaken ? 'true' : undefined}
                  disabled={isTaken || (!chosen.has(seat.id) && selected.length >= max)}
                  onClick={() => toggle(seat.id)}
                >
                  {seat.label}
                </button>
              );
            })}
          </div>
        </div>
      ))}
    </fieldset>
  );
}
