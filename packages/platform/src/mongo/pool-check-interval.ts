import mongoose from 'mongoose';

/** How often each connection pool checks its minimum size and drops perished connections. */
export const POOL_CHECK_INTERVAL_MS = 1_000;

interface ClientLike {
  options: Record<string, unknown>;
  connect(...args: unknown[]): Promise<unknown>;
}

let applied = false;

/**
 * The MongoDB driver's connection pool re-arms a timer every 100 ms for as long as the pool is open
 * (`minPoolSizeCheckFrequencyMS`, an internal option `MongoClient` refuses to be given), to top the pool
 * up to `minPoolSize` and drop perished connections. With `minPoolSize: 0` there is nothing to top up, and
 * a checkout drops a perished connection anyway; the timer is only ten wake-ups a second of every idle
 * process (a bare Node process with a 100 ms timer spends about 0.07 % of a core on it). This sets the
 * check to once a second on every client mongoose creates in this process, before it connects (the pools
 * copy the client's options when the topology opens). Idempotent; the driver copy is mongoose's own.
 */
export function applyMongoPoolCheckInterval(intervalMs = POOL_CHECK_INTERVAL_MS): void {
  if (applied) return;
  applied = true;
  const prototype = (mongoose.mongo.MongoClient as unknown as { prototype: ClientLike }).prototype;
  const connect = prototype.connect;
  prototype.connect = function connectWithPoolCheckInterval(this: ClientLike, ...args: unknown[]) {
    this.options.minPoolSizeCheckFrequencyMS ??= intervalMs;
    return connect.apply(this, args);
  };
}
