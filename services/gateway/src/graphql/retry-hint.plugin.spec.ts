import { describe, expect, it } from 'vitest';
import { retryHintOf } from './retry-hint.plugin';

const tryAgain = (retryAfterMs: number) => ({
  message: 'busy',
  extensions: { code: 'TRY_AGAIN', retryAfterMs, retryAfter: Math.ceil(retryAfterMs / 1000) },
});

describe('retryHintOf', () => {
  it('asks for nothing without a retryable error', () => {
    expect(retryHintOf(undefined, { a: 1 })).toBeNull();
    expect(retryHintOf([{ message: 'no', extensions: { code: 'FORBIDDEN' } }], null)).toBeNull();
  });

  it('a refusal of the whole request: the longest hint, and 503', () => {
    const hint = retryHintOf(
      [tryAgain(250), { message: 'down', extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: 3 } }],
      {
        checkout: null,
      },
    );
    expect(hint).toEqual({ seconds: 3, nothingServed: true, throttled: false });
  });

  it("a subgraph's throttle (RATE_LIMITED, e.g. sign-in attempts) is the caller's pace, not an outage: 429", () => {
    expect(retryHintOf([{ message: 'x', extensions: { code: 'RATE_LIMITED' } }], undefined)).toEqual({
      seconds: 1,
      nothingServed: true,
      throttled: true,
    });
    // Beside a service that is busy, it is a 503 again.
    expect(
      retryHintOf([{ message: 'x', extensions: { code: 'RATE_LIMITED' } }, tryAgain(500)], undefined),
    ).toMatchObject({ nothingServed: true, throttled: false });
  });

  it('a partial answer, or another error beside the refusal: the header only', () => {
    expect(retryHintOf([tryAgain(1500)], { events: [], ticketCount: null })).toEqual({
      seconds: 2,
      nothingServed: false,
      throttled: false,
    });
    expect(retryHintOf([tryAgain(500), { message: 'no', extensions: { code: 'FORBIDDEN' } }], null)).toEqual({
      seconds: 1,
      nothingServed: false,
      throttled: false,
    });
  });
});
