import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { applyKafkajsIdleFix } from './kafkajs-idle-fix';

const require = createRequire(__filename);

describe('kafkajs idle request queue', () => {
  applyKafkajsIdleFix();
  const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: object) => {
    pending: unknown[];
    throttledUntil: number;
    throttleCheckTimeoutId: NodeJS.Timeout | null;
    checkPendingRequests(): void;
    scheduleCheckPendingRequests(): void;
  };
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const queue = () =>
    new RequestQueue({
      maxInFlightRequests: 1,
      requestTimeout: 1000,
      clientId: 'spec',
      broker: 'b:1',
      logger,
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
});
