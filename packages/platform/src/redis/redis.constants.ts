/** Tuning that makes Redis calls fail fast while Redis is down instead of queueing for ever. */
export const REDIS_MAX_RETRIES_PER_REQUEST = 1;
export const REDIS_CONNECT_TIMEOUT_MS = 2000;
export const REDIS_COMMAND_TIMEOUT_MS = 2000;
export const REDIS_RECONNECT_BASE_MS = 100;
export const REDIS_RECONNECT_MAX_MS = 2000;
/** How long boot waits for the first connection before starting anyway (readiness then reports it). */
export const REDIS_BOOT_WAIT_MS = 3000;

/** Capped exponential backoff for ioredis reconnects: 100, 200, 400 ... 2000 ms, for ever. */
export function redisReconnectDelay(attempt: number): number {
  return Math.min(REDIS_RECONNECT_BASE_MS * 2 ** Math.max(0, attempt - 1), REDIS_RECONNECT_MAX_MS);
}
