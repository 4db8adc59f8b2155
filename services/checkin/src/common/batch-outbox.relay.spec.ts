import type { KafkaService } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BatchOutboxRelay, type BatchOutboxDoc } from './batch-outbox.relay';

/** A model whose pending-outbox query always finds nothing; records when each poll ran (fake clock). */
function emptyModel(polls: number[]) {
  const chain = {
    limit: () => chain,
    lean: () => chain,
    exec: async () => {
      polls.push(Date.now());
      return [];
    },
  };
  return {
    find: () => chain,
    collection: { collectionName: 'checkins' },
  } as unknown as Model<BatchOutboxDoc>;
}

const options = { pollMs: 1_000, maxPollMs: 5_000, coalesceMs: 20, maxDocs: 200, leaseMs: 30_000 };

describe('BatchOutboxRelay at rest', () => {
  afterEach(() => vi.useRealTimers());

  it('polls ever less often while nothing is pending (1, 2, 4 s, then every 5 s)', async () => {
    vi.useFakeTimers({ now: 0 });
    const polls: number[] = [];
    const relay = new BatchOutboxRelay(emptyModel(polls), {} as KafkaService, options);
    relay.start();
    await vi.advanceTimersByTimeAsync(22_500);
    const stopped = relay.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
    expect(polls).toEqual([0, 1_000, 3_000, 7_000, 12_000, 17_000, 22_000]);
  });

  it('a nudge polls at once and starts the backoff over', async () => {
    vi.useFakeTimers({ now: 0 });
    const polls: number[] = [];
    const relay = new BatchOutboxRelay(emptyModel(polls), {} as KafkaService, options);
    relay.start();
    await vi.advanceTimersByTimeAsync(10_000); // polls at 0, 1, 3, 7 s; next due at 12 s
    relay.nudge();
    await vi.advanceTimersByTimeAsync(1_100);
    const stopped = relay.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
    expect(polls).toEqual([0, 1_000, 3_000, 7_000, 10_020, 11_020]);
  });
});
