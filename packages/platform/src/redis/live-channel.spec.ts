import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveChannelHub, type SubscriberConnection } from './live-channel';

type Answer = 'ok' | 'fail' | 'hang';

/** A subscriber connection whose commands are recorded and answered as the test says. */
class StubConnection extends EventEmitter implements SubscriberConnection {
  readonly commands: string[] = [];
  answer: Answer = 'ok';
  disconnected = false;

  subscribe(...channels: string[]): Promise<unknown> {
    this.commands.push(`SUBSCRIBE ${channels.join(' ')}`);
    return this.reply();
  }

  unsubscribe(...channels: string[]): Promise<unknown> {
    this.commands.push(`UNSUBSCRIBE ${channels.join(' ')}`);
    return this.reply();
  }

  disconnect(): void {
    this.disconnected = true;
  }

  publish(channel: string, payload = '1'): void {
    this.emit('message', channel, payload);
  }

  /** The connection drops and comes back. */
  reconnect(): void {
    this.emit('close');
    this.emit('ready');
  }

  private reply(): Promise<unknown> {
    if (this.answer === 'fail') return Promise.reject(new Error('Connection is closed.'));
    if (this.answer === 'hang') return new Promise(() => undefined);
    return Promise.resolve(1);
  }
}

function setup(confirmTimeoutMs = 2_000) {
  const connections: StubConnection[] = [];
  const hub = new LiveChannelHub({
    name: 'spec',
    confirmTimeoutMs,
    connect: () => {
      const connection = new StubConnection();
      connections.push(connection);
      return connection;
    },
  });
  return { hub, connections, conn: () => connections[0]! };
}

/** A read that counts its calls and answers the count. */
function counter() {
  const reads: number[] = [];
  const t0 = Date.now();
  return {
    reads,
    read: async () => {
      reads.push(Date.now() - t0);
      return reads.length;
    },
  };
}

describe('LiveChannelHub.listen', () => {
  it('opens one connection and subscribes a channel once, however many listen, until the last leaves', async () => {
    const { hub, connections, conn } = setup();
    const heard: string[] = [];
    const a = hub.listen('c1', { message: (p) => heard.push(`a:${p}`) });
    const b = hub.listen('c1', { message: (p) => heard.push(`b:${p}`) });
    const c = hub.listen('c2', {});
    expect(await a.confirmed).toBe(true);
    expect(await b.confirmed).toBe(true);
    expect(connections).toHaveLength(1);
    expect(conn().commands).toEqual(['SUBSCRIBE c1', 'SUBSCRIBE c2']);

    conn().publish('c1', 'x');
    conn().publish('other', 'y');
    expect(heard).toEqual(['a:x', 'b:x']);

    a.close();
    a.close();
    expect(conn().commands).toHaveLength(2);
    expect(hub.listenerCount('c1')).toBe(1);
    b.close();
    c.close();
    expect(conn().commands.slice(2)).toEqual(['UNSUBSCRIBE c1', 'UNSUBSCRIBE c2']);
    expect(hub.channelCount).toBe(0);
    conn().publish('c1', 'z');
    expect(heard).toEqual(['a:x', 'b:x']);
  });

  it('a listener that throws does not keep the message from the others', () => {
    const { hub, conn } = setup();
    const heard: string[] = [];
    hub.listen('c', {
      message: () => {
        throw new Error('boom');
      },
    });
    hub.listen('c', { message: (p) => heard.push(p) });
    conn().publish('c', 'x');
    expect(heard).toEqual(['x']);
  });

  it('a failed SUBSCRIBE answers false and the channel is subscribed again on reconnect, with a resync', async () => {
    const { hub, conn } = setup();
    const resyncs: string[] = [];
    const first = hub.listen('c1', { resync: () => resyncs.push('c1') });
    conn().answer = 'fail';
    const second = hub.listen('c2', { resync: () => resyncs.push('c2') });
    expect(await first.confirmed).toBe(true);
    expect(await second.confirmed).toBe(false);
    conn().answer = 'ok';
    conn().reconnect();
    await vi.waitFor(() => expect(resyncs).toEqual(['c1', 'c2']));
    expect(conn().commands.at(-1)).toBe('SUBSCRIBE c1 c2');
  });

  it('the first ready (no connection lost) resubscribes without a resync', async () => {
    const { hub, conn } = setup();
    const resyncs: string[] = [];
    hub.listen('c', { resync: () => resyncs.push('c') });
    conn().emit('ready');
    await new Promise((resolve) => setImmediate(resolve));
    expect(conn().commands).toEqual(['SUBSCRIBE c', 'SUBSCRIBE c']);
    expect(resyncs).toEqual([]);
  });

  it('close() tells every listener, disconnects, and closes later listeners at once', async () => {
    const { hub, conn } = setup();
    const closed: string[] = [];
    hub.listen('c', { closed: () => closed.push('a') });
    hub.close();
    expect(closed).toEqual(['a']);
    expect(conn().disconnected).toBe(true);
    const late = hub.listen('c', { closed: () => closed.push('late') });
    expect(await late.confirmed).toBe(false);
    await Promise.resolve();
    expect(closed).toEqual(['a', 'late']);
    expect(hub.channelCount).toBe(0);
  });
});

describe('LiveChannelHub.snapshots', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('reads at once, then once per burst, never sooner than the minimum interval', async () => {
    const { hub, conn } = setup();
    const { reads, read } = counter();
    const stream = hub.snapshots('c', { read, minIntervalMs: 250 });

    expect(await stream.next()).toEqual({ done: false, value: 1 });
    expect(reads).toEqual([0]);
    expect(conn().commands).toEqual(['SUBSCRIBE c']);

    const second = stream.next();
    await vi.advanceTimersByTimeAsync(100);
    for (let i = 0; i < 20; i++) conn().publish('c');
    await vi.advanceTimersByTimeAsync(500);
    expect(await second).toEqual({ done: false, value: 2 });
    // The burst at 100 ms waited for the interval: one read at 250 ms for twenty messages.
    expect(reads).toEqual([0, 250]);

    // A quiet channel reads nothing more.
    const third = stream.next();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(reads).toHaveLength(2);
    conn().publish('c');
    await vi.advanceTimersByTimeAsync(0);
    expect(await third).toEqual({ done: false, value: 3 });
    expect(reads.at(-1)).toBe(5_600);
    await stream.return();
  });

  it('a message during a read brings one more read after the interval', async () => {
    const { hub, conn } = setup();
    const reads: number[] = [];
    let release: (() => void) | undefined;
    const stream = hub.snapshots('c', {
      minIntervalMs: 1_000,
      read: async () => {
        reads.push(Date.now());
        if (reads.length === 2) await new Promise<void>((resolve) => (release = resolve));
        return reads.length;
      },
    });
    await stream.next();
    conn().publish('c');
    const second = stream.next();
    await vi.advanceTimersByTimeAsync(1_000);
    conn().publish('c');
    release!();
    expect((await second).value).toBe(2);
    const third = stream.next();
    await vi.advanceTimersByTimeAsync(1_000);
    expect((await third).value).toBe(3);
    expect(reads.map((t) => t - reads[0]!)).toEqual([0, 1_000, 2_000]);
    await stream.return();
  });

  it('return() while next() waits ends both at once and releases the channel, even with Redis hanging', async () => {
    const { hub, conn } = setup();
    const { read } = counter();
    const stream = hub.snapshots('c', { read, minIntervalMs: 250 });
    await stream.next();
    conn().answer = 'hang';
    const waiting = stream.next();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await stream.return()).toEqual({ done: true, value: undefined });
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(hub.listenerCount()).toBe(0);
    expect(conn().commands).toEqual(['SUBSCRIBE c', 'UNSUBSCRIBE c']);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('return() during a slow read ends the stream and drops the read', async () => {
    const { hub } = setup();
    let reads = 0;
    const stream = hub.snapshots('c', {
      minIntervalMs: 250,
      read: () => {
        reads += 1;
        return new Promise<number>((_, reject) => setTimeout(() => reject(new Error('late')), 5_000));
      },
    });
    const first = stream.next();
    await vi.advanceTimersByTimeAsync(10);
    await stream.return();
    expect(await first).toEqual({ done: true, value: undefined });
    // The read's late failure is ignored (no unhandled rejection fails this file).
    await vi.advanceTimersByTimeAsync(6_000);
    expect(reads).toBe(1);
    expect(hub.listenerCount()).toBe(0);
  });

  it('a failing read rejects next() and releases the channel', async () => {
    const { hub, conn } = setup();
    const stream = hub.snapshots('c', {
      minIntervalMs: 250,
      read: () => Promise.reject(new Error('mongo down')),
    });
    await expect(stream.next()).rejects.toThrow('mongo down');
    expect(hub.listenerCount()).toBe(0);
    expect(conn().commands).toEqual(['SUBSCRIBE c', 'UNSUBSCRIBE c']);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('without a confirmed SUBSCRIBE it answers after the timeout, then catches up after the reconnect', async () => {
    const { hub, conn } = setup(2_000);
    hub.listen('warm', {});
    conn().answer = 'hang';
    const { reads, read } = counter();
    const stream = hub.snapshots('c', { read, minIntervalMs: 250 });
    const first = stream.next();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(reads).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(await first).toEqual({ done: false, value: 1 });

    // Messages published while disconnected are lost: the reconnect's resync reads again.
    const next = stream.next();
    conn().answer = 'ok';
    conn().reconnect();
    await vi.advanceTimersByTimeAsync(300);
    expect(await next).toEqual({ done: false, value: 2 });
    expect(conn().commands.at(-1)).toBe('SUBSCRIBE warm c');
    await stream.return();
  });

  it('skips a snapshot that is the same as the last one sent', async () => {
    const { hub, conn } = setup();
    const values = [1, 1, 1, 2];
    const stream = hub.snapshots('c', {
      minIntervalMs: 100,
      read: async () => values.shift()!,
      same: (a, b) => a === b,
    });
    expect((await stream.next()).value).toBe(1);
    const next = stream.next();
    for (let i = 0; i < 3; i++) {
      conn().publish('c');
      await vi.advanceTimersByTimeAsync(100);
    }
    expect((await next).value).toBe(2);
    expect(values).toEqual([]);
    await stream.return();
  });

  it('deferWake: a message for others waits out its deferral, one for this stream reads at once', async () => {
    const { hub, conn } = setup();
    const { reads, read } = counter();
    const stream = hub.snapshots('c', {
      read,
      minIntervalMs: 100,
      // Messages naming "me" matter now; others may wait 2 s.
      deferWake: (payload) => (payload.includes('me') ? 0 : 2_000),
    });
    expect((await stream.next()).value).toBe(1);
    const second = stream.next();
    for (let i = 0; i < 10; i++) {
      conn().publish('c', 'others');
      await vi.advanceTimersByTimeAsync(150);
    }
    expect(reads).toHaveLength(1); // 1.5 s of messages for others: nothing read yet
    await vi.advanceTimersByTimeAsync(500);
    expect(await second).toEqual({ done: false, value: 2 });
    expect(reads.at(-1)).toBe(2_000); // once, when the deferral ran out

    const third = stream.next();
    conn().publish('c', 'others'); // would wait 2 s, but the next one brings it forward
    await vi.advanceTimersByTimeAsync(300);
    conn().publish('c', 'for me');
    await vi.advanceTimersByTimeAsync(0);
    expect(await third).toEqual({ done: false, value: 3 });
    expect(reads.at(-1)).toBe(2_300);
    expect(reads).toHaveLength(3);
    await stream.return();
  });

  it('ends with done when the hub closes (shutdown)', async () => {
    const { hub } = setup();
    const { read } = counter();
    const stream = hub.snapshots('c', { read, minIntervalMs: 100 });
    await stream.next();
    const waiting = stream.next();
    hub.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('does not subscribe before the first next(), and a return() first leaves nothing behind', async () => {
    const { hub, connections } = setup();
    const stream = hub.snapshots('c', { read: async () => 1, minIntervalMs: 100 });
    await stream.return();
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(connections).toHaveLength(0);
  });
});

describe('LiveChannelHub.messages', () => {
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const parse = (raw: string) => {
    try {
      return JSON.parse(raw) as { n: number };
    } catch {
      return undefined;
    }
  };

  it('passes payloads through in order, dropping unreadable ones', async () => {
    const { hub, conn } = setup();
    const stream = hub.messages('p', { parse, maxQueued: 10 });
    const first = stream.next();
    await settle();
    conn().publish('p', '{"n":1}');
    conn().publish('p', 'not json');
    conn().publish('p', '{"n":2}');
    expect(await first).toEqual({ done: false, value: { n: 1 } });
    expect(await stream.next()).toEqual({ done: false, value: { n: 2 } });
    await stream.return();
    expect(conn().commands).toEqual(['SUBSCRIBE p', 'UNSUBSCRIBE p']);
  });

  it('keeps at most maxQueued for a slow consumer, dropping the oldest', async () => {
    const { hub, conn } = setup();
    const stream = hub.messages('p', { parse, maxQueued: 3 });
    const first = stream.next();
    await settle();
    for (let n = 1; n <= 8; n++) conn().publish('p', JSON.stringify({ n }));
    const got = [(await first).value, (await stream.next()).value, (await stream.next()).value];
    // The waiting next() takes from the queue when it resumes, after the burst: the three newest.
    expect(got).toEqual([{ n: 6 }, { n: 7 }, { n: 8 }]);
    await stream.return();
  });

  it('after a reconnect passes on the catch-up, then the messages again; without a reconnect never calls it', async () => {
    const { hub, conn } = setup();
    let catchUps = 0;
    const stream = hub.messages('p', {
      parse,
      maxQueued: 10,
      catchUp: async () => {
        catchUps += 1;
        return [{ n: 100 }, { n: 101 }];
      },
    });
    const first = stream.next();
    await settle();
    conn().emit('ready');
    conn().publish('p', '{"n":1}');
    expect(await first).toEqual({ done: false, value: { n: 1 } });
    await settle();
    expect(catchUps).toBe(0);

    conn().reconnect();
    await vi.waitFor(() => expect(catchUps).toBe(1));
    await settle();
    conn().publish('p', '{"n":2}');
    const got = [(await stream.next()).value, (await stream.next()).value, (await stream.next()).value];
    expect(got).toEqual([{ n: 100 }, { n: 101 }, { n: 2 }]);
    await stream.return();
  });

  it('a failing catch-up leaves the stream going; one that answers after return() is dropped', async () => {
    const { hub, conn } = setup();
    let answer: ((values: Array<{ n: number }>) => void) | undefined;
    let fail = true;
    const stream = hub.messages('p', {
      parse,
      maxQueued: 10,
      catchUp: () =>
        fail
          ? Promise.reject(new Error('mongo down'))
          : new Promise<Array<{ n: number }>>((resolve) => (answer = resolve)),
    });
    const first = stream.next();
    await settle();
    conn().reconnect();
    await settle();
    conn().publish('p', '{"n":1}');
    expect(await first).toEqual({ done: false, value: { n: 1 } });

    fail = false;
    const waiting = stream.next();
    conn().reconnect();
    await vi.waitFor(() => expect(answer).toBeDefined());
    await stream.return();
    answer!([{ n: 9 }]);
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('return() while waiting ends the pending next() and releases the channel', async () => {
    const { hub, conn } = setup();
    const stream = hub.messages('p', { parse, maxQueued: 3 });
    const waiting = stream.next();
    await settle();
    conn().answer = 'fail';
    await stream.return();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(hub.listenerCount()).toBe(0);
    conn().publish('p', '{"n":1}');
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });
});
