/**
 * Clean-up by whole hours. A document that may be deleted after some instant carries the hour of that
 * instant (hours since the epoch) in an indexed field, set in the same write that decides it; a periodic
 * job then deletes hour after hour by an indexed equality on that field, instead of a range over a date
 * that no index narrows to the few due documents (and that the local server cannot push down).
 */

const HOUR_MS = 3600 * 1000;

/** Hours since the epoch of an instant (the bucket it falls in). */
export function hourOf(time: Date | number): number {
  return Math.floor((typeof time === 'number' ? time : time.getTime()) / HOUR_MS);
}

/**
 * Deletes the documents of every whole hour before `before`, walking back `lookbackHours` (so a job that
 * did not run for that long still catches up). `deleteMany` is the collection's or model's.
 */
export async function deleteWholeHours(
  deleteMany: (filter: Record<string, number>) => PromiseLike<{ deletedCount?: number }>,
  field: string,
  before: Date,
  lookbackHours: number,
): Promise<number> {
  let deleted = 0;
  const last = hourOf(before) - 1;
  for (let hour = last; hour > last - lookbackHours; hour--) {
    deleted += (await deleteMany({ [field]: hour })).deletedCount ?? 0;
  }
  return deleted;
}
