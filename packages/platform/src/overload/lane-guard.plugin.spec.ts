import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LoadShedder } from './load-shedder';
import { rootFieldsOf } from './lane-guard.plugin';
import { LANE_HEADER, lightShedderFromConfig, loadShedMiddleware } from './overload.middleware';
import type { OverloadConfig } from './overload.config';

function rootsOf(source: string): string[] {
  const document = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  const fragments = new Map<string, readonly unknown[]>();
  for (const d of document.definitions)
    if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet.selections);
  return rootFieldsOf(operation, fragments);
}

describe('rootFieldsOf', () => {
  it('sees every root field, through fragments and inline fragments, but not __typename', () => {
    expect(rootsOf('{ a __typename b: c }')).toEqual(['a', 'c']);
    expect(rootsOf('query { ...F ... on Query { d } } fragment F on Query { e }')).toEqual(['e', 'd']);
  });
});

const config = (light: string[]): OverloadConfig => ({
  OVERLOAD_MAX_INFLIGHT: 1,
  OVERLOAD_MIN_INFLIGHT: 1,
  OVERLOAD_INITIAL_INFLIGHT: 1,
  OVERLOAD_QUEUE_SIZE: 0,
  OVERLOAD_QUEUE_TIMEOUT_MS: 10,
  OVERLOAD_TARGET_LATENCY_MS: 100,
  OVERLOAD_MAX_LAG_MS: 0,
  OVERLOAD_LIGHT_OPERATIONS: light,
});

/** Runs the middleware for a request with these headers: 'next' when admitted, else the answer's status. */
function run(middleware: ReturnType<typeof loadShedMiddleware>, headers: Record<string, string>) {
  let outcome: number | 'next' = 0;
  const res = {
    status(code: number) {
      outcome = code;
      return res;
    },
    setHeader: () => undefined,
    json: () => undefined,
    once: () => undefined,
  };
  middleware({ method: 'POST', headers } as never, res as never, () => (outcome = 'next'));
  return outcome;
}

describe('the light lane', () => {
  it('exists only when the service names light operations', () => {
    expect(lightShedderFromConfig(config([]))).toBeNull();
    expect(lightShedderFromConfig(config(['joinWaitingRoom']))?.limit).toBe(1);
  });

  it('serves a request that asks for it while the other lane is full, and only such a request', () => {
    const main = new LoadShedder({
      initialLimit: 1,
      minLimit: 1,
      maxLimit: 1,
      queueSize: 0,
      queueTimeoutMs: 10,
      targetLatencyMs: 100,
    });
    const light = lightShedderFromConfig(config(['joinWaitingRoom']))!;
    const middleware = loadShedMiddleware(main, 'ticket', undefined, light);
    expect(run(middleware, {})).toBe('next'); // takes the only slot of the main lane (never released here)
    expect(run(middleware, {})).toBe(503);
    expect(run(middleware, { [LANE_HEADER]: 'light' })).toBe('next');
    expect(run(middleware, { [LANE_HEADER]: 'heavy' })).toBe(503);
    // Without a light shedder the header changes nothing.
    expect(run(loadShedMiddleware(main, 'ticket'), { [LANE_HEADER]: 'light' })).toBe(503);
  });
});
