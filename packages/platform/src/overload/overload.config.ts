import { envInt, envList } from '../config/env-fields';

/**
 * Variables of the load shedder (part of every service's base config; used where the service asks
 * `PlatformModule.forRoot({ overload: true })`). `OVERLOAD_MAX_INFLIGHT=0` turns it off.
 */
export const overloadConfigFields = {
  /** Upper bound of the adaptive concurrency limit of GraphQL operations; 0 turns shedding off. */
  OVERLOAD_MAX_INFLIGHT: envInt({ default: 64, min: 0, max: 10_000 }),
  /** Lower bound of the adaptive limit (the limit never shrinks below it). */
  OVERLOAD_MIN_INFLIGHT: envInt({ default: 8, min: 1, max: 10_000 }),
  /** Limit at start. */
  OVERLOAD_INITIAL_INFLIGHT: envInt({ default: 16, min: 1, max: 10_000 }),
  /** Requests that may wait for a slot; beyond it a request is refused at once. */
  OVERLOAD_QUEUE_SIZE: envInt({ default: 64, min: 0, max: 100_000 }),
  /** Longest wait for a slot before TRY_AGAIN (keep it in tens of milliseconds). */
  OVERLOAD_QUEUE_TIMEOUT_MS: envInt({ default: 50, min: 1, max: 10_000 }),
  /** An operation slower than this counts as slow; a window with over 10 % slow ones shrinks the limit. */
  OVERLOAD_TARGET_LATENCY_MS: envInt({ default: 400, min: 1, max: 60_000 }),
  /**
   * Event-loop lag (measured only while operations run) above which nothing is queued, no more than
   * OVERLOAD_MIN_INFLIGHT run, and the limit shrinks; 0 (the default) leaves lag out. The ticket service turns
   * it on (bench/flash-sale/REPORT.md); check-in and the gateway do not (fewer scans admitted in a gate rush).
   */
  OVERLOAD_MAX_LAG_MS: envInt({ default: 0, min: 0, max: 10_000 }),
  /**
   * Root fields served in a lane of their own ("light"): cheap operations that must not starve behind the
   * rest, such as a waiting room's join and status reads during a flash sale. A request asks for the lane
   * with the `x-shed-lane: light` header; its operation is then held to these fields (BAD_REQUEST
   * otherwise). Empty (the default): one lane.
   */
  OVERLOAD_LIGHT_OPERATIONS: envList([]),
};

export interface OverloadConfig {
  OVERLOAD_MAX_INFLIGHT: number;
  OVERLOAD_MIN_INFLIGHT: number;
  OVERLOAD_INITIAL_INFLIGHT: number;
  OVERLOAD_QUEUE_SIZE: number;
  OVERLOAD_QUEUE_TIMEOUT_MS: number;
  OVERLOAD_TARGET_LATENCY_MS: number;
  OVERLOAD_MAX_LAG_MS: number;
  OVERLOAD_LIGHT_OPERATIONS: string[];
}
