import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  startService,
  type RunningService,
  type TestContext,
} from '@ticketing/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/stack';

/** The kernel's cap on any listen backlog. */
const SOMAXCONN = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
/** A burst above Node's own backlog (511), within what the kernel allows. */
const BURST = Math.min(600, SOMAXCONN - 8);

/**
 * Opens `count` connections at once while the process is stopped (as a service whose event loop is busy):
 * only those the kernel holds in the accept queue complete; the others' SYNs are dropped and would be retried
 * after 1 s, 3 s, 7 s. Returns how many completed within `waitMs`.
 */
async function heldWhileStopped(service: RunningService, count: number, waitMs = 1_500): Promise<number> {
  service.child.kill('SIGSTOP');
  const sockets: Socket[] = [];
  try {
    const outcomes = await Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<boolean>((resolve) => {
            const socket = connect(service.port, '127.0.0.1');
            sockets.push(socket);
            const timer = setTimeout(() => resolve(false), waitMs);
            socket.once('connect', () => {
              clearTimeout(timer);
              resolve(true);
            });
            socket.once('error', () => {
              clearTimeout(timer);
              resolve(false);
            });
          }),
      ),
    );
    return outcomes.filter(Boolean).length;
  } finally {
    for (const socket of sockets) socket.destroy();
    service.child.kill('SIGCONT');
  }
}

describe('the listen backlog holds a burst of new connections while the service is busy (LISTEN_BACKLOG)', () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = createTestContext('listen-backlog');
    await ensureTopics(ctx);
  });

  afterAll(async () => {
    if (ctx) await dropTestContext(ctx);
  });

  const boot = (extra: Record<string, string> = {}) =>
    startService(join(REPO_ROOT, 'services', 'event'), { ...ctx.env, LOG_LEVEL: 'warn', ...extra });

  it(`by default every one of ${BURST} connections opened at once is held, and served once the process runs`, async () => {
    expect(BURST).toBeGreaterThan(100);
    const service = await boot();
    try {
      expect(await heldWhileStopped(service, BURST)).toBe(BURST);
      const ready = await fetch(`${service.url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('with LISTEN_BACKLOG=8 most of the same burst is dropped (the contrast: the setting is what holds them)', async () => {
    const service = await boot({ LISTEN_BACKLOG: '8' });
    try {
      expect(await heldWhileStopped(service, BURST)).toBeLessThan(BURST / 2);
    } finally {
      await service.stop();
    }
  }, 60_000);
});
