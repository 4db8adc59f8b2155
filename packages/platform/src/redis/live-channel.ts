import { getLogger } from '../logging/logger';

/** The part of an ioredis connection the hub uses (unit tests pass a stub). */
export interface SubscriberConnection {
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(...channels: string[]): Promise<unknown>;
  on(event: 'message', listener: (channel: string, payload: string) => void): unknown;
  on(event: 'ready' | 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  disconnect(reconnect?: boolean): void;
}

/** What one listener of a channel is told. */
export interface ChannelListener {
  /** A message published on the channel, its payload as sent. */
  message?(payload: string): void;
  /** The subscriber reconnected and is subscribed again: whatever was published meanwhile was lost. */
  resync?(): void;
  /** The hub closed (shutdown): nothing more will come. */
  closed?(): void;
}

export interface ChannelSubscription {
  /**
   * True once Redis confirmed the SUBSCRIBE; false when it failed or took longer than the hub's
   * `confirmTimeoutMs` (the channel stays wanted and is subscribed again on the next reconnect). Never rejects.
   */
  readonly confirmed: Promise<boolean>;
  /** Stops deliveries at once; the channel's last listener sends UNSUBSCRIBE without waiting for Redis. */
  close(): void;
}

export interface LiveChannelHubOptions {
  /** Opens the subscriber connection; called once, on first use. */
  connect: () => SubscriberConnection;
  /** Names the hub in logs. */
  name?: string;
  /** Longest wait for a SUBSCRIBE's confirmation. Default 2000 ms. */
  confirmTimeoutMs?: number;
}

export interface SnapshotStreamOptions<T> {
  /** Reads the current state: once at once, then after each burst of messages on the channel. */
  read: () => Promise<T>;
  /** Shortest time between the starts of two reads; the messages of a burst within it make one read. */
  minIntervalMs: number;
  /** When given, a snapshot that is `same` as the last one sent is not sent. */
  same?: (next: T, previous: T) => boolean;
  /**
   * When given, how long after a message this stream may wait before reading, given the message and the last
   * snapshot it sent (ms; 0 or less: as soon as the minimum interval allows). A later message that wants the
   * read sooner brings it forward. For a channel whose messages mostly concern other consumers: each reads
   * when a message concerns it, and otherwise at its own pace, not at every message.
   */
  deferWake?: (payload: string, last: T | undefined) => number;
}

export interface MessageStreamOptions<T> {
  /** Turns a payload into what the consumer receives; undefined drops it (unreadable, or not wanted). */
  parse: (payload: string) => T | undefined;
  /** Most messages kept for a slow consumer; past it the oldest are dropped. */
  maxQueued: number;
  /**
   * After a reconnect, what stands in for the messages lost meanwhile (typically the current state, which
   * the consumer filters against what it already sent). A failure is logged and the stream goes on.
   */
  catchUp?: () => Promise<T[]>;
}

interface ChannelState {
  listeners: Set<ChannelListener>;
  confirmed: Promise<boolean>;
}

const DEFAULT_CONFIRM_TIMEOUT_MS = 2_000;
const noop = () => undefined;

/**
 * The live channels of one process over one Redis subscriber connection: every subscription of the process
 * shares it, and a channel is SUBSCRIBEd while at least one listener wants it.
 *
 * Reconnects: ioredis resubscribes on its own only the channels whose SUBSCRIBE it saw confirmed before the
 * connection dropped; one sent while Redis was away fails and would stay silent for ever. So on every
 * `ready` the hub SUBSCRIBEs every wanted channel again (a repeated SUBSCRIBE is harmless) and, once Redis
 * confirms, tells each listener to resync, since messages published meanwhile are gone.
 *
 * `snapshots()` and `messages()` return iterators whose `return()` releases the channel at once, even while
 * a `next()` waits: a native async generator would only run its `finally` at the next message, which on a
 * quiet channel or with Redis down may never come.
 */
export class LiveChannelHub {
  private readonly log = getLogger('live-channels');
  private readonly channels = new Map<string, ChannelState>();
  private readonly confirmTimeoutMs: number;
  private connection?: SubscriberConnection;
  private lostSinceReady = false;
  private closed = false;
  private lastError?: string;

  constructor(private readonly options: LiveChannelHubOptions) {
    this.confirmTimeoutMs = options.confirmTimeoutMs ?? DEFAULT_CONFIRM_TIMEOUT_MS;
  }

  /** Channels subscribed now (diagnostics and tests). */
  get channelCount(): number {
    return this.channels.size;
  }

  /** Listeners of `channel`, or of every channel (diagnostics and tests). */
  listenerCount(channel?: string): number {
    if (channel !== undefined) return this.channels.get(channel)?.listeners.size ?? 0;
    let count = 0;
    for (const state of this.channels.values()) count += state.listeners.size;
    return count;
  }

  /** Adds a listener to `channel`, subscribing to it when it is the first. */
  listen(channel: string, listener: ChannelListener): ChannelSubscription {
    if (this.closed) {
      queueMicrotask(() => listener.closed?.());
      return { confirmed: Promise.resolve(false), close: noop };
    }
    let state = this.channels.get(channel);
    if (!state) {
      state = { listeners: new Set(), confirmed: Promise.resolve(false) };
      this.channels.set(channel, state);
      state.confirmed = this.subscribe(channel);
    }
    state.listeners.add(listener);
    let open = true;
    return {
      confirmed: state.confirmed,
      close: () => {
        if (!open) return;
        open = false;
        this.release(channel, listener);
      },
    };
  }

  /**
   * The current state of something at once, then again after each burst of messages on `channel` (and after
   * a reconnect), reads at least `minIntervalMs` apart. Ends when the consumer returns or the hub closes; a
   * failing read ends it with that error.
   */
  snapshots<T>(channel: string, options: SnapshotStreamOptions<T>): AsyncGenerator<T, void, unknown> {
    return new SnapshotStream(this, channel, options);
  }

  /**
   * Every message published on `channel` from the first `next()` on, parsed, through a bounded queue; after
   * a reconnect, what `catchUp` returns.
   */
  messages<T>(channel: string, options: MessageStreamOptions<T>): AsyncGenerator<T, void, unknown> {
    return new MessageStream(this, channel, options);
  }

  /** Ends every stream and drops the connection (process shutdown); later listeners are closed at once. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const listeners = [...this.channels.values()].flatMap((state) => [...state.listeners]);
    this.channels.clear();
    for (const listener of listeners) safely(() => listener.closed?.(), this.log);
    this.connection?.disconnect(false);
  }

  private open(): SubscriberConnection {
    if (this.connection) return this.connection;
    const connection = this.options.connect();
    connection.on('error', (error: Error) => {
      // ioredis emits one per failed reconnect: log each distinct message once.
      if (error.message !== this.lastError)
        this.log.debug({ err: error, hub: this.options.name }, 'subscriber error');
      this.lastError = error.message;
    });
    connection.on('close', () => {
      this.lostSinceReady = true;
    });
    connection.on('ready', () => this.resubscribe(connection));
    connection.on('message', (channel: string, payload: string) => {
      const state = this.channels.get(channel);
      if (!state) return;
      for (const listener of state.listeners) safely(() => listener.message?.(payload), this.log);
    });
    this.connection = connection;
    return connection;
  }

  private subscribe(channel: string): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), this.confirmTimeoutMs);
      timer.unref();
    });
    const answer = this.open()
      .subscribe(channel)
      .then(
        () => true,
        (error: unknown) => {
          this.log.debug({ err: error, channel }, 'SUBSCRIBE failed; retried on reconnect');
          return false;
        },
      );
    return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
  }

  private release(channel: string, listener: ChannelListener): void {
    const state = this.channels.get(channel);
    if (!state?.listeners.delete(listener) || state.listeners.size > 0) return;
    this.channels.delete(channel);
    // Not awaited: cleanup must not wait on Redis. The connection sends commands in order, so this
    // UNSUBSCRIBE lands after any SUBSCRIBE of the channel still queued.
    this.connection?.unsubscribe(channel).catch(noop);
  }

  private resubscribe(connection: SubscriberConnection): void {
    const lost = this.lostSinceReady;
    this.lostSinceReady = false;
    if (this.closed || this.channels.size === 0) return;
    if (lost)
      this.log.info({ hub: this.options.name, channels: this.channels.size }, 'subscriber reconnected');
    connection.subscribe(...this.channels.keys()).then(
      () => {
        if (!lost) return;
        for (const state of this.channels.values())
          for (const listener of state.listeners) safely(() => listener.resync?.(), this.log);
      },
      (error: unknown) => {
        // The connection dropped again; its next `ready` tries again.
        this.lostSinceReady ||= lost;
        this.log.debug({ err: error }, 'resubscribe failed');
      },
    );
  }
}

function safely(fn: () => void, log: { warn(obj: unknown, msg: string): void }): void {
  try {
    fn();
  } catch (error) {
    log.warn({ err: error }, 'live channel listener threw');
  }
}

const STOPPED: unique symbol = Symbol('stopped');
const DONE: IteratorReturnResult<void> = Object.freeze({ done: true, value: undefined });

/**
 * An async iterator over one channel: subscribes on the first `next()`, and `return()` (or the hub
 * closing) ends it at once, settling a waiting `next()` with done.
 */
abstract class LiveStream<T, O> implements AsyncGenerator<T, void, unknown> {
  protected done = false;
  private subscription?: ChannelSubscription;
  /** Settles whatever the pending `next()` waits on, when the stream ends meanwhile. */
  private interrupt?: () => void;
  /** Ends a wait for the next message. */
  private wake?: () => void;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly hub: LiveChannelHub,
    private readonly channel: string,
    protected readonly options: O,
  ) {}

  /** The next item; calls are served one after another, as a generator would. */
  next(): Promise<IteratorResult<T, void>> {
    const result = this.tail.then(() => (this.done ? DONE : this.pull()));
    this.tail = result.catch(noop);
    return result;
  }

  async return(): Promise<IteratorResult<T, void>> {
    this.finish();
    return DONE;
  }

  async throw(error: unknown): Promise<IteratorResult<T, void>> {
    this.finish();
    throw error;
  }

  [Symbol.asyncIterator](): AsyncGenerator<T, void, unknown> {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.finish();
  }

  protected abstract pull(): Promise<IteratorResult<T, void>>;
  protected abstract onMessage(payload: string): void;
  protected abstract onResync(): void;

  /** Subscribes (once); the answer says whether Redis confirmed it. */
  protected start(): Promise<boolean> {
    this.subscription ??= this.hub.listen(this.channel, {
      message: (payload) => this.onMessage(payload),
      resync: () => this.onResync(),
      closed: () => this.finish(),
    });
    return this.subscription.confirmed;
  }

  protected finish(): void {
    if (this.done) return;
    this.done = true;
    this.subscription?.close();
    this.wake = undefined;
    const interrupt = this.interrupt;
    this.interrupt = undefined;
    interrupt?.();
  }

  /** Ends the current wait for a message, if any. */
  protected poke(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  protected nextMessage(): Promise<void | typeof STOPPED> {
    return this.until(new Promise<void>((resolve) => (this.wake = resolve)));
  }

  /** Waits `ms` (Infinity: no timer) or until the next poke, whichever comes first. */
  protected pause(ms: number): Promise<void | typeof STOPPED> {
    let timer: NodeJS.Timeout | undefined;
    return this.until(
      new Promise<void>((resolve) => {
        this.wake = resolve;
        if (Number.isFinite(ms)) {
          timer = setTimeout(resolve, ms);
          timer.unref();
        }
      }),
    ).finally(() => clearTimeout(timer));
  }

  /** `promise`'s outcome, or STOPPED as soon as the stream ends (what `promise` does later is ignored). */
  protected until<R>(promise: Promise<R>): Promise<R | typeof STOPPED> {
    if (this.done) {
      promise.catch(noop);
      return Promise.resolve(STOPPED);
    }
    return new Promise<R | typeof STOPPED>((resolve, reject) => {
      this.interrupt = () => resolve(STOPPED);
      promise.then(
        (value) => {
          this.interrupt = undefined;
          resolve(value);
        },
        (error: unknown) => {
          this.interrupt = undefined;
          reject(error);
        },
      );
    });
  }
}

/**
 * "Snapshot on wake": a dirty flag set by messages, with the time the read is due; reads spaced by the minimum
 * interval (and deferred as `deferWake` says).
 */
class SnapshotStream<T> extends LiveStream<T, SnapshotStreamOptions<T>> {
  private dirty = true;
  /** When the next read may start (while dirty). */
  private dueAt = 0;
  private lastReadAt = -Infinity;
  private last?: { value: T };

  protected async pull(): Promise<IteratorResult<T, void>> {
    // Subscribed before the first read, so no change after that read goes unheard. Without Redis the
    // stream goes on (the reconnect resyncs it).
    if ((await this.until(this.start())) === STOPPED) return DONE;
    for (;;) {
      const wait = this.dirty ? this.dueAt - Date.now() : Infinity;
      if (wait > 0) {
        // Until the read is due, or a message changes when it is.
        if ((await this.pause(wait)) === STOPPED) return DONE;
        continue;
      }
      this.dirty = false;
      this.lastReadAt = Date.now();
      let outcome: T | typeof STOPPED;
      try {
        outcome = await this.until(Promise.resolve().then(() => this.options.read()));
      } catch (error) {
        this.finish();
        throw error;
      }
      if (outcome === STOPPED) return DONE;
      if (this.last && this.options.same?.(outcome, this.last.value)) continue;
      this.last = { value: outcome };
      return { done: false, value: outcome };
    }
  }

  protected onMessage(payload?: string): void {
    const defer = payload === undefined ? 0 : (this.options.deferWake?.(payload, this.last?.value) ?? 0);
    const due = Math.max(this.lastReadAt + this.options.minIntervalMs, Date.now() + Math.max(0, defer));
    this.dueAt = this.dirty ? Math.min(this.dueAt, due) : due;
    this.dirty = true;
    this.poke();
  }

  protected onResync(): void {
    this.onMessage();
  }
}

/** "Forward messages": payloads passed through a bounded queue, the oldest dropped first. */
class MessageStream<T> extends LiveStream<T, MessageStreamOptions<T>> {
  private readonly log = getLogger('live-channels');
  private readonly queue: T[] = [];

  protected async pull(): Promise<IteratorResult<T, void>> {
    void this.start();
    for (;;) {
      if (this.queue.length > 0) return { done: false, value: this.queue.shift()! };
      if ((await this.nextMessage()) === STOPPED) return DONE;
    }
  }

  protected onMessage(payload: string): void {
    const value = this.options.parse(payload);
    if (value !== undefined) this.enqueue([value]);
  }

  protected onResync(): void {
    // What was published while disconnected is gone: the consumer gets the catch-up instead, or repairs it
    // with its next query.
    const catchUp = this.options.catchUp;
    if (!catchUp || this.done) return;
    Promise.resolve()
      .then(catchUp)
      .then(
        (values) => {
          if (!this.done) this.enqueue(values);
        },
        (error: unknown) => this.log.warn({ err: error }, 'live channel catch-up failed'),
      );
  }

  private enqueue(values: T[]): void {
    if (values.length === 0) return;
    this.queue.push(...values);
    if (this.queue.length > this.options.maxQueued)
      this.queue.splice(0, this.queue.length - this.options.maxQueued);
    this.poke();
  }
}
