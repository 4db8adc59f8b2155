import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyKafkajsIdleFix } from './kafkajs-idle-fix';

const require = createRequire(__filename);

interface Queue {
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  requestTimeoutIntervalId?: NodeJS.Timeout;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  scheduleRequestTimeoutCheck(): void;
  push(request: object): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer | null; size: number }): void;
  destroy(): void;
}

describe('kafkajs idle request queue', () => {
  applyKafkajsIdleFix();
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: object) => Queue;
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const queue = (requestTimeout = 1000) =>
    new RequestQueue({
      maxInFlightRequests: null,
      requestTimeout,
      enforceRequestTimeout: true,
      clientId: 'spec',
      broker: 'b:1',
      logger,
      isConnected: () => true,
    });
  /** Pushes a request that expects an answer; returns its settled outcome. */
  const send = (q: Queue, correlationId: number, requestTimeout?: number) => {
    const outcome: { error?: Error; resolved?: boolean } = {};
    q.push({
      entry: {
        apiKey: 1,
        apiName: 'Fetch',
        apiVersion: 11,
        correlationId,
        resolve: () => (outcome.resolved = true),
        reject: (error: Error) => (outcome.error = error),
      },
      expectResponse: true,
      sendRequest: () => undefined,
      requestTimeout,
    });
    return outcome;
  };

  afterEach(() => {
    vi.useRealTimers();
  });

  it('arms no timer for an idle connection (stock 2.2.4 re-arms one at once, forever)', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still rechecks waiting requests at the end of a throttle', () => {
    const q = queue();
    q.pending.push({});
    q.throttledUntil = Date.now() + 60_000;
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(q.throttleCheckTimeoutId!);
  });

  it('a connected queue with nothing in flight keeps no timeout check (stock: every 100 ms, forever)', () => {
    vi.useFakeTimers();
    const q = queue();
    q.scheduleRequestTimeoutCheck();
    expect(q.requestTimeoutIntervalId).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('times a request out at its deadline, with one timer, and re-arms for the next one', () => {
    vi.useFakeTimers();
    const q = queue(1000);
    q.scheduleRequestTimeoutCheck();
    const first = send(q, 1);
    vi.advanceTimersByTime(400);
    const second = send(q, 2, 3000); // a long poll: its own, longer timeout
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(599);
    expect(first.error).toBeUndefined();
    vi.advanceTimersByTime(2);
    expect(first.error?.name).toBe('KafkaJSRequestTimeoutError');
    expect(second.error).toBeUndefined();
    expect(q.inflight.size).toBe(1);
    vi.advanceTimersByTime(3000);
    expect(second.error?.name).toBe('KafkaJSRequestTimeoutError');
    expect(q.inflight.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an answered request is not timed out, and the check then finds nothing to re-arm for', () => {
    vi.useFakeTimers();
    const q = queue(1000);
    q.scheduleRequestTimeoutCheck();
    const answered = send(q, 7);
    vi.advanceTimersByTime(10);
    q.fulfillRequest({ correlationId: 7, payload: null, size: 0 });
    vi.advanceTimersByTime(5000);
    expect(answered.error).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('destroy() on disconnect clears the armed check', () => {
    vi.useFakeTimers();
    const q = queue(1000);
    q.scheduleRequestTimeoutCheck();
    send(q, 9);
    expect(vi.getTimerCount()).toBe(1);
    q.destroy();
    expect(vi.getTimerCount()).toBe(0);
    // A later request on a reconnected queue arms a new one.
    send(q, 10);
    expect(vi.getTimerCount()).toBe(1);
  });
});
