import { Injectable } from '@nestjs/common';
import { getLogger } from '../logging/logger';
import { RedisService } from './redis.service';

/** How long a fence outlives its change: far beyond any Kafka delay a replica should still be waiting out. */
const FENCE_TTL_SECONDS = 3600;
/** Longest a reader waits for its replica to reach a fence before acting on what it has. */
export const EVENT_FENCE_WAIT_MS = 2_000;

/** Most given-up fences remembered (see EventFence.givenUp); past it the memory starts afresh. */
const MAX_GIVEN_UP = 10_000;

/** SET key to ARGV[1] unless it already holds a higher version; the TTL is renewed either way. */
const RAISE = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted = tonumber(ARGV[1])
if wanted > current then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) return wanted end
redis.call('EXPIRE', KEYS[1], ARGV[2])
return current
`;

/**
 * Read-your-writes across services for an event's changes. The event service answers the organizer
 * ("cancelled", "staff removed", "transfers off") before Kafka has carried the change to check-in and ticket,
 * whose replicas hold the old event for that moment (about 100 ms, more under load): a scan, hold or transfer
 * accept sent right after the answer would act on the old event.
 *
 * So the writer raises the event's fence to the aggregate version it committed, before it answers; a reader
 * about to act on the event (admit, hold, accept) compares its replica's version with the fence and, when
 * behind, re-reads its replica until the change has landed (at most EVENT_FENCE_WAIT_MS) instead of acting on
 * the old row. One Redis GET per such action; a wait only while a change is in flight.
 *
 * Redis is the fast path only: with Redis down or flushed, readers act on their replicas as before and Kafka
 * still delivers every change. The key is shared by the services (`<prefix>fence:event:<id>`).
 */
@Injectable()
export class EventFence {
  private readonly log = getLogger('event-fence');
  /**
   * Fences this process already waited out in vain, by event: while the change is still missing (a consumer
   * stopped, Kafka down) later actions act at once instead of each waiting again; a higher fence waits anew.
   */
  private readonly givenUp = new Map<string, number>();

  constructor(private readonly redis: RedisService) {}

  /** Raises the event's fence to `version` (never lowers it). Failures are logged: the change still travels. */
  async raise(eventId: string, version: number): Promise<void> {
    try {
      await this.redis.client.eval(RAISE, 1, this.key(eventId), String(version), String(FENCE_TTL_SECONDS));
    } catch (error) {
      this.log.warn({ err: error, eventId, version }, 'event fence not raised');
    }
  }

  /** The event's fence: the last version its writer confirmed; 0 when none is known (or Redis is down). */
  async version(eventId: string): Promise<number> {
    try {
      const value = await this.redis.client.get(this.key(eventId));
      const version = value === null ? 0 : Number(value);
      return Number.isFinite(version) ? version : 0;
    } catch {
      return 0;
    }
  }

  /**
   * `current` when it has reached the event's fence; else the replica as re-read by `reload` once it has, or,
   * after `maxWaitMs`, as it stands then (the caller acts on that, as it would without a fence).
   */
  async settle<T>(
    eventId: string,
    current: T | null,
    versionOf: (row: T) => number,
    reload: () => Promise<T | null>,
    maxWaitMs = EVENT_FENCE_WAIT_MS,
  ): Promise<T | null> {
    const fence = await this.version(eventId);
    if (fence === 0 || (current !== null && versionOf(current) >= fence)) return current;
    if (this.givenUp.get(eventId) === fence) return current;
    const deadline = Date.now() + maxWaitMs;
    let row = current;
    for (let pause = 10; ; pause = Math.min(pause * 2, 100)) {
      row = await reload();
      if ((row !== null && versionOf(row) >= fence) || Date.now() + pause > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    if (row === null || versionOf(row) < fence) {
      this.log.warn({ eventId, fence }, 'replica still behind the event fence; acting on it as it stands');
      if (this.givenUp.size >= MAX_GIVEN_UP) this.givenUp.clear();
      this.givenUp.set(eventId, fence);
    } else {
      this.givenUp.delete(eventId);
    }
    return row;
  }

  private key(eventId: string): string {
    return this.redis.key('fence', 'event', eventId);
  }
}
