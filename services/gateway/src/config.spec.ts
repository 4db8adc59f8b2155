import { loadConfig } from '@ticketing/platform';
import { describe, expect, it } from 'vitest';
import { gatewayConfigSchema } from './config';

describe('gateway config', () => {
  it("replaces the platform's shedder defaults with the door's own", () => {
    expect(loadConfig(gatewayConfigSchema, {})).toMatchObject({
      PORT: 4000,
      // As large as check-in's, so a 10,000-item sync batch is refused by check-in with its field.
      BODY_LIMIT: '5mb',
      OVERLOAD_MAX_INFLIGHT: 256,
      OVERLOAD_MIN_INFLIGHT: 16,
      OVERLOAD_INITIAL_INFLIGHT: 32,
      OVERLOAD_TARGET_LATENCY_MS: 1_000,
      // Event-loop lag is left out at the door: with it, a gate rush through the gateway admitted fewer scans.
      OVERLOAD_MAX_LAG_MS: 0,
    });
    expect(loadConfig(gatewayConfigSchema, { OVERLOAD_MAX_LAG_MS: '40' }).OVERLOAD_MAX_LAG_MS).toBe(40);
  });
});
