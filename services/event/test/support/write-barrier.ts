import type { Model } from 'mongoose';
import type { EventRecord } from '../../src/events/schemas/event.schema';

export interface WriteBarrier {
  /** Event writes that matched nothing (another writer's version landed first). */
  readonly misses: number;
  /** Event writes that landed. */
  readonly landed: number;
  /** Whether all `parties` writers reached the barrier before it opened (false: it opened on timeout). */
  readonly filled: boolean;
  restore(): void;
}

/**
 * Holds the first `parties` domain updates of the event model until all of them have been
 * issued, then lets them go together. Every writer computes its update from what it read, and none of
 * them can land before the last one has read, so all of them start from the same version: the worst
 * interleaving, produced every time rather than by luck. It also counts guard misses and landed writes,
 * so a test can show that the race really happened and that the guard resolved it.
 *
 * Only updates that set `version` (the service's event writes) are held, whatever their filter, so a
 * write that lost its version guard is still held and its test fails on the outcome; the outbox relay's
 * updates (`outboxLeaseUntil`, `$pop`) go through untouched. If fewer than `parties` writers arrive, the barrier opens after
 * `timeoutMs` and `filled` stays false.
 */
export function holdGuardedWrites(
  model: Model<EventRecord>,
  parties: number,
  timeoutMs = 5_000,
): WriteBarrier {
  const target = model as unknown as { updateOne: (...args: unknown[]) => unknown };
  const hadOwn = Object.prototype.hasOwnProperty.call(target, 'updateOne');
  const previous = target.updateOne;
  const original = previous.bind(model);
  let arrived = 0;
  let misses = 0;
  let landed = 0;
  let filled = false;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const timer = setTimeout(open, timeoutMs);

  target.updateOne = (...args: unknown[]) => {
    const query = original(...args) as { exec: () => Promise<{ modifiedCount: number }> };
    const update = args[1] as { $set?: Record<string, unknown> } | undefined;
    if (!update?.$set || !('version' in update.$set)) return query;
    const held = arrived < parties;
    arrived += 1;
    if (arrived === parties) {
      filled = true;
      clearTimeout(timer);
      open();
    }
    const exec = query.exec.bind(query);
    query.exec = async () => {
      if (held) await opened;
      const result = await exec();
      if (result.modifiedCount === 1) landed += 1;
      else misses += 1;
      return result;
    };
    return query;
  };

  return {
    get misses() {
      return misses;
    },
    get landed() {
      return landed;
    },
    get filled() {
      return filled;
    },
    restore() {
      clearTimeout(timer);
      open();
      if (hadOwn) target.updateOne = previous;
      else delete (target as { updateOne?: unknown }).updateOne;
    },
  };
}
