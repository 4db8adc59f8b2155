import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  domainError,
  ErrorCode,
  errorCodeOf,
  forbidden,
  getLogger,
  InjectConfig,
  LiveChannels,
  notFound,
  PeriodicTask,
  RecentCache,
  RedisService,
  type AuthUser,
} from '@ticketing/platform';
import DataLoader from 'dataloader';
import type { Model } from 'mongoose';
import { randomBytes } from 'node:crypto';
import { CatalogService } from '../catalog/catalog.service';
import { eventClosure } from '../catalog/event-closure';
import type { TicketConfig } from '../config';
import { AdmissionLimiter } from './admission-limiter';
import { passKeyFrom, signAdmissionPass, verifyAdmissionPass, type PassProblem } from './admission-pass';
import type { SetWaitingRoomInput } from './dto/set-waiting-room.input';
import { WaitingRoomState, type WaitingRoom, type WaitingRoomStatus } from './models/waiting-room.model';
import { entryIdOf, WAITING_ROOM_ENTRY, type WaitingRoomEntryDoc } from './schemas/waiting-room-entry.schema';
import { WAITING_ROOM, type WaitingRoomDoc, type WaitingRoomTuning } from './schemas/waiting-room.schema';
import { ADMIT_SCRIPT, JOIN_SCRIPT, PLACE_SCRIPT, RANKS_SCRIPT } from './waiting-room.lua';

/** The code reserveTickets answers when a room is active and the pass is missing or unacceptable. */
export const ADMISSION_REQUIRED = 'ADMISSION_REQUIRED';
export const PASS_FIELD = 'input.admissionPass';

/** Defaults of a room's tuning (the organizer may change each). */
export const ROOM_DEFAULTS: WaitingRoomTuning = {
  passTtlSeconds: 120,
  initialLimit: 20,
  minLimit: 2,
  maxLimit: 500,
  targetLatencyMs: 500,
};

/** Reservation attempts one pass allows; a successful hold always spends it. */
export const PASS_ATTEMPTS = 3;
/**
 * A claim that finds the pass taken by another request of the same buyer waits for that request's outcome,
 * looking this many times, this far apart: a hold takes tens of milliseconds, so about a second in all.
 */
const PASS_BUSY_TRIES = 8;
const PASS_BUSY_WAIT_MS = 150;
/** How old a per-process copy of a room's settings may be (other replicas see a switch within this). */
const ROOM_CACHE_MS = 1_000;
/** Lifetime of the Redis copy of the settings (rewritten by every change). */
const ROOM_REDIS_TTL_S = 300;
/** Most buyers one admitter run admits per room. */
const ADMIT_BATCH = 200;
/** Admitter: shortest gap between runs, and longest wait while some room still has buyers waiting. */
const ADMIT_MIN_INTERVAL_MS = 100;
const ADMIT_IDLE_MAX_MS = 1_000;
/** A rebuild lock outlives a crashed rebuilder by this much at most. */
const REBUILD_LOCK_MS = 15_000;
const REBUILD_WAIT_MS = 5_000;
/** Subscribers get at most this many updates a second. */
const UPDATE_EVERY_MS = 250;
/**
 * A waiting buyer's new position (nothing else changed) is pushed at most once per this interval, stretched so
 * that one process sends about WAITING_ROOM_POSITION_PUSHES_PER_S position pushes a second per room however many wait; a
 * change of state (admitted, pass expired) is pushed at once.
 */
const POSITION_EVERY_MS = { min: 1_000, max: 15_000 };
/** Room messages: some buyers' turn came (`<POPPED> <userId> …`), or anything may have changed. */
const POPPED = 'popped';
const ROOM_CHANGED = 'changed';
/**
 * Batching: status reads arriving within `statusWaitMs` share one Redis call per room; new queue entries
 * arriving within `joinWaitMs` are written to MongoDB by one insert; an admitted or used entry read for a
 * status is reused for `settledMs` (at most `settledMax` kept).
 */
const BATCHING = {
  statusWaitMs: 5,
  statusMax: 2_000,
  joinWaitMs: 2,
  joinMax: 500,
  settledMs: 1_000,
  settledMax: 20_000,
} as const;

/** `stream`, calling `ended` once when it ends (done, returned, thrown into, or failed). */
function onEnd<T>(
  stream: AsyncGenerator<T, void, unknown>,
  ended: () => void,
): AsyncGenerator<T, void, unknown> {
  let open = true;
  const end = () => {
    if (open) ended();
    open = false;
  };
  const wrapped: AsyncGenerator<T, void, unknown> = {
    next: (...args) =>
      stream.next(...args).then(
        (result) => {
          if (result.done) end();
          return result;
        },
        (error: unknown) => {
          end();
          throw error;
        },
      ),
    return: (value) => {
      end();
      return stream.return(value);
    },
    throw: (error) => {
      end();
      return stream.throw(error);
    },
    [Symbol.asyncIterator]: () => wrapped,
    [Symbol.asyncDispose]: async () => {
      end();
      await stream.return(undefined);
    },
  };
  return wrapped;
}

/** A status as the buyer sees it (its `at` aside). */
function shownOf(status: WaitingRoomStatus): string {
  return JSON.stringify({ ...status, at: undefined });
}

const NOSTATE = -1;
const BEING_ADMITTED = -3;

/** Codes that mean "the service is overloaded", so the limiter backs off. */
const OVERLOAD_CODES = new Set(['TRY_AGAIN', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED']);

const PROBLEM_MESSAGES: Record<PassProblem | 'MISSING' | 'USED' | 'REPLACED', string> = {
  MISSING: 'This sale has a waiting room: join it and reserve with your admission pass',
  MALFORMED: 'The admission pass is not valid',
  BAD_SIGNATURE: 'The admission pass is not valid',
  WRONG_EVENT: 'The admission pass is for another event',
  WRONG_USER: 'The admission pass belongs to another buyer',
  EXPIRED: 'The admission pass has expired; join the waiting room again',
  USED: 'The admission pass was already used; join the waiting room again',
  REPLACED: 'The admission pass was replaced by a newer one',
};

/**
 * Admissions over about the last 60 s from per-minute counters: all of this minute's plus the share of the
 * previous minute that still falls in the window.
 */
function lastMinute(current: number, previous: number, now: number): number {
  return current + previous * (1 - (now % 60_000) / 60_000);
}

function admissionRequired(problem: keyof typeof PROBLEM_MESSAGES) {
  return domainError(ADMISSION_REQUIRED, PROBLEM_MESSAGES[problem], PASS_FIELD, { reason: problem });
}

function unavailable(message: string) {
  return domainError(ErrorCode.SERVICE_UNAVAILABLE, message, null, { retryAfterMs: 1_000, retryAfter: 1 });
}

interface RoomKeys {
  state: string;
  queue: string;
  seq: string;
  live: string;
  /** Buyers holding an unexpired pass (user → expiry). */
  admitted: string;
  /** Last sign of life of each buyer (user → ms): a join, a status read, an open subscription. */
  seen: string;
  settings: string;
  lock: string;
  channel: string;
  minute: (minute: number) => string;
}

/** A pass claimed for one reservation attempt (see guardReserve). */
interface Claim {
  eventId: string;
  userId: string;
  entryId: string;
  passId: string;
}

/**
 * The virtual waiting room of on-sales. MongoDB holds the truth (the room's settings, and one entry per buyer
 * with their arrival sequence, state and pass); Redis holds the fast copy the hot path uses (the queue as a
 * sorted set by arrival sequence, the outstanding passes, counters). When the room's Redis state is gone it
 * is rebuilt from MongoDB before anyone is admitted: waiting buyers keep their order, passes still valid keep
 * their slots (no flood), and the sequence counter restarts above every sequence handed out.
 *
 * Costs nothing when no room is on: no timer runs, and reserveTickets only reads the room's settings from a
 * per-process copy (refreshed at most once a second per event, from Redis, else MongoDB).
 */
@Injectable()
export class WaitingRoomService implements OnApplicationShutdown {
  private readonly log = getLogger('waiting-room');
  private readonly passKey: Buffer;
  /**
   * How long an admission holds a slot (WAITING_ROOM_SLOT_HOLD_SECONDS, at most the pass's lifetime): a
   * buyer let in who walks away frees it for the next in line after this, though their pass stays valid
   * until it expires. Long enough to choose and reserve; the limit follows how long reserving takes.
   */
  private readonly slotHoldMs: number;
  /**
   * A buyer with no sign of life for this long (WAITING_ROOM_PRESENCE_SECONDS) has left: at the head of the
   * queue they are passed over (no pass, no slot) instead of holding a slot nobody uses; back, they are put
   * back at their place. Open subscriptions are marked alive every quarter of it (one Redis call per room per
   * process), joins and status reads at once.
   */
  private readonly presenceMs: number;
  /** WAITING_ROOM_POSITION_PUSHES_PER_S (see positionEveryMs). */
  private readonly positionPushesPerS: number;
  private readonly rooms = new Map<string, { at: number; value: Promise<WaitingRoomDoc | null> }>();
  /**
   * Why an event sells no more (cancelled, ended), null while it may, undefined for an unknown event; a
   * per-process copy at most ROOM_CACHE_MS old.
   */
  private readonly closures = new RecentCache<string, string | null | undefined>({
    maxAgeMs: ROOM_CACHE_MS,
    maxEntries: 10_000,
  });
  /** Rooms this process admits for (some buyer joined or used a pass here); the admitter stops when empty. */
  private readonly active = new Map<string, number>();
  private readonly limiters = new Map<string, { version: number; limiter: AdmissionLimiter }>();
  private readonly rebuilds = new Map<string, Promise<void>>();
  /** Open subscriptions per room and buyer, marked present every presenceMs / 4 while any is open. */
  private readonly watchers = new Map<string, Map<string, number>>();
  private presence?: NodeJS.Timeout;
  /** Entries of buyers whose turn came, as last read (see settledEntry). */
  private readonly settled = new Map<string, { at: number; entry: WaitingRoomEntryDoc }>();
  private readonly admitter: PeriodicTask;
  /** Statuses by `<eventId> <userId>`: every read in a few milliseconds is one batch (see statusBatch). */
  private readonly statuses = new DataLoader<string, WaitingRoomStatus>((keys) => this.statusBatch(keys), {
    cache: false,
    maxBatchSize: BATCHING.statusMax,
    batchScheduleFn: (run) => setTimeout(run, BATCHING.statusWaitMs),
  });
  /** New entries: true when written, false when the buyer already had one (see insertBatch). */
  private readonly inserts = new DataLoader<WaitingRoomEntryDoc, boolean, string>(
    (docs) => this.insertBatch(docs),
    {
      cache: false,
      maxBatchSize: BATCHING.joinMax,
      batchScheduleFn: (run) => setTimeout(run, BATCHING.joinWaitMs),
    },
  );

  constructor(
    @InjectModel(WAITING_ROOM) private readonly roomsModel: Model<WaitingRoomDoc>,
    @InjectModel(WAITING_ROOM_ENTRY) private readonly entries: Model<WaitingRoomEntryDoc>,
    private readonly catalog: CatalogService,
    private readonly redis: RedisService,
    private readonly live: LiveChannels,
    @InjectConfig() config: TicketConfig,
  ) {
    this.passKey = passKeyFrom(config.WAITING_ROOM_PASS_KEY, config.DISPLAY_CODE_MASTER_KEY);
    this.slotHoldMs = config.WAITING_ROOM_SLOT_HOLD_SECONDS * 1000;
    this.presenceMs = config.WAITING_ROOM_PRESENCE_SECONDS * 1000;
    this.positionPushesPerS = config.WAITING_ROOM_POSITION_PUSHES_PER_S;
    this.admitter = new PeriodicTask({
      name: 'waiting-room-admitter',
      minIntervalMs: ADMIT_MIN_INTERVAL_MS,
      maxIdleMs: ADMIT_IDLE_MAX_MS,
      run: (now) => this.admitAll(now),
    });
  }

  private keys(eventId: string): RoomKeys {
    const base = this.redis.key('wroom', `{${eventId}}`);
    return {
      state: `${base}:st`,
      queue: `${base}:q`,
      seq: `${base}:seq`,
      live: `${base}:live`,
      admitted: `${base}:adm`,
      seen: `${base}:seen`,
      settings: `${base}:room`,
      lock: `${base}:lock`,
      channel: `${base}:updates`,
      minute: (minute) => `${base}:m:${minute}`,
    };
  }

  // ---- settings ---------------------------------------------------------------------------------

  /** The room's settings (null: never configured, i.e. off), from a per-process copy at most 1 s old. */
  room(eventId: string): Promise<WaitingRoomDoc | null> {
    const now = Date.now();
    const cached = this.rooms.get(eventId);
    if (cached && now - cached.at <= ROOM_CACHE_MS) return cached.value;
    const value = this.loadRoom(eventId);
    this.rooms.set(eventId, { at: now, value });
    value.catch(() => this.rooms.delete(eventId));
    if (this.rooms.size > 10_000) this.rooms.delete(this.rooms.keys().next().value!);
    return value;
  }

  private async loadRoom(eventId: string): Promise<WaitingRoomDoc | null> {
    const key = this.keys(eventId).settings;
    const copy = await this.redis.client.get(key).catch(() => undefined);
    if (typeof copy === 'string') {
      const parsed = JSON.parse(copy) as (Omit<WaitingRoomDoc, 'updatedAt'> & { updatedAt: string }) | null;
      return parsed && { ...parsed, updatedAt: new Date(parsed.updatedAt) };
    }
    const doc = await this.roomsModel.findById(eventId).lean<WaitingRoomDoc>().exec();
    await this.redis.client
      .set(key, JSON.stringify(doc ?? null), 'EX', ROOM_REDIS_TTL_S)
      .catch(() => undefined);
    return doc;
  }

  /** Organizer: switch the room on or off and tune it (the caller's rights are checked by the resolver). */
  async configure(user: AuthUser, eventId: string, input: SetWaitingRoomInput): Promise<WaitingRoom> {
    const event = await this.catalog.findEvent(eventId);
    if (!event) throw notFound('Event', 'eventId');
    // Switching a room on for a sale that is over for good would only queue buyers for nothing (off is fine).
    const closed = eventClosure(event, new Date());
    if (closed && input.enabled) throw forbidden(closed);
    const current = await this.roomsModel.findById(eventId).lean<WaitingRoomDoc>().exec();
    const tuning: WaitingRoomTuning = {
      passTtlSeconds: input.passTtlSeconds ?? current?.passTtlSeconds ?? ROOM_DEFAULTS.passTtlSeconds,
      initialLimit: input.initialLimit ?? current?.initialLimit ?? ROOM_DEFAULTS.initialLimit,
      minLimit: input.minLimit ?? current?.minLimit ?? ROOM_DEFAULTS.minLimit,
      maxLimit: input.maxLimit ?? current?.maxLimit ?? ROOM_DEFAULTS.maxLimit,
      targetLatencyMs: input.targetLatencyMs ?? current?.targetLatencyMs ?? ROOM_DEFAULTS.targetLatencyMs,
    };
    // The field named is one the caller sent: the stored values are not theirs to fix.
    const sent = (name: keyof SetWaitingRoomInput) => input[name] !== undefined && input[name] !== null;
    if (tuning.minLimit > tuning.maxLimit) {
      const field = sent('minLimit') || !sent('maxLimit') ? 'input.minLimit' : 'input.maxLimit';
      throw domainError(ErrorCode.BAD_USER_INPUT, 'minLimit must not exceed maxLimit', field);
    }
    if (!sent('initialLimit')) {
      // Not sent: the stored starting limit follows new bounds instead of refusing them.
      tuning.initialLimit = Math.min(tuning.maxLimit, Math.max(tuning.minLimit, tuning.initialLimit));
    } else if (tuning.initialLimit < tuning.minLimit || tuning.initialLimit > tuning.maxLimit) {
      throw domainError(
        ErrorCode.BAD_USER_INPUT,
        'initialLimit must lie between minLimit and maxLimit',
        'input.initialLimit',
      );
    }
    const doc = await this.roomsModel
      .findOneAndUpdate(
        { _id: eventId },
        {
          $set: { ...tuning, enabled: input.enabled, updatedAt: new Date(), updatedBy: user.id },
          $inc: { version: 1 },
        },
        { upsert: true, returnDocument: 'after' },
      )
      .lean<WaitingRoomDoc>()
      .exec();
    const keys = this.keys(eventId);
    this.rooms.delete(eventId);
    // An explicit starting limit restarts the limit from it; otherwise the learnt one carries on.
    if (input.initialLimit !== undefined && input.initialLimit !== null) this.limiters.delete(eventId);
    // The Redis copy follows MongoDB; when it cannot be written, other replicas see the change when their
    // copy (ROOM_REDIS_TTL_S) runs out, so Redis being down only delays a switch.
    await this.redis.client
      .set(keys.settings, JSON.stringify(doc), 'EX', ROOM_REDIS_TTL_S)
      .catch((err: unknown) => this.log.warn({ err, eventId }, 'could not refresh the room copy in Redis'));
    this.limiterFor(doc!);
    if (doc!.enabled) {
      await this.ensureState(eventId, doc!).catch((err: unknown) =>
        this.log.warn({ err, eventId }, 'room state not built yet; the first join builds it'),
      );
      this.activate(eventId);
    } else {
      // Off: the queue copy goes; MongoDB keeps every entry, so switching on again restores the order.
      await this.redis.client.del(keys.state, keys.queue, keys.live, keys.admitted).catch(() => undefined);
    }
    await this.announce(eventId);
    return this.view(eventId, doc);
  }

  /** Organizer's view: settings, queue length, outstanding passes, the current limit and admission rate. */
  async view(eventId: string, known?: WaitingRoomDoc | null): Promise<WaitingRoom> {
    const doc =
      known !== undefined ? known : await this.roomsModel.findById(eventId).lean<WaitingRoomDoc>().exec();
    const tuning = doc ?? { ...ROOM_DEFAULTS, enabled: false };
    const keys = this.keys(eventId);
    const now = Date.now();
    const minute = Math.floor(now / 60_000);
    let waiting = 0;
    let outstanding = 0;
    // Shown within the bounds as they are now (a retune reaches the admitter at its next run).
    const bounded = (value: number) => Math.min(tuning.maxLimit, Math.max(tuning.minLimit, value));
    let limit = bounded(this.limiters.get(eventId)?.limiter.limit ?? tuning.initialLimit);
    let perMinute = 0;
    if (doc?.enabled) {
      const answers = await this.redis.client
        .multi()
        .zcard(keys.queue)
        .zcount(keys.live, `(${now}`, '+inf')
        .hget(keys.state, 'limit')
        .get(keys.minute(minute))
        .get(keys.minute(minute - 1))
        .exec()
        .catch(() => null);
      if (answers) {
        const value = (i: number) => Number(answers[i]?.[1] ?? 0) || 0;
        waiting = value(0);
        outstanding = value(1);
        // This process's own limiter when it has the current settings, else the admitter's last figure.
        const local = this.limiters.get(eventId);
        if (local && local.version === doc.version) limit = local.limiter.limit;
        else if (answers[2]?.[1] != null) limit = bounded(value(2));
        perMinute = Math.round(lastMinute(value(3), value(4), now));
      }
    }
    return {
      eventId,
      enabled: doc?.enabled ?? false,
      passTtlSeconds: tuning.passTtlSeconds,
      initialLimit: tuning.initialLimit,
      minLimit: tuning.minLimit,
      maxLimit: tuning.maxLimit,
      targetLatencyMs: tuning.targetLatencyMs,
      waiting,
      admittedOutstanding: outstanding,
      currentLimit: limit,
      admittedPerMinute: perMinute,
      averageReserveLatencyMs: this.limiters.get(eventId)?.limiter.averageLatencyMs ?? null,
      at: new Date(now),
    };
  }

  private limiterFor(room: WaitingRoomDoc): AdmissionLimiter {
    const known = this.limiters.get(room._id);
    if (known && known.version === room.version) return known.limiter;
    // A retune keeps what was learnt (the limit, within the new bounds, and the latency average).
    const limiter = new AdmissionLimiter({
      initial: known ? known.limiter.limit : room.initialLimit,
      min: room.minLimit,
      max: room.maxLimit,
      targetLatencyMs: room.targetLatencyMs,
      averageLatencyMs: known?.limiter.averageLatencyMs,
    });
    this.limiters.set(room._id, { version: room.version, limiter });
    return limiter;
  }

  // ---- the buyer's side -------------------------------------------------------------------------

  /** Join (or look at) the queue; joining again keeps the place. */
  async join(user: AuthUser, eventId: string): Promise<WaitingRoomStatus> {
    const closed = await this.closure(eventId);
    if (closed) throw forbidden(closed);
    const room = await this.activeRoom(eventId);
    if (!room) return this.plain(eventId, WaitingRoomState.NOT_NEEDED);
    const keys = this.keys(eventId);
    this.settled.delete(entryIdOf(eventId, user.id));
    const [answer] = await Promise.all([
      this.script(room, JOIN_SCRIPT, [keys.state, keys.queue, keys.seq], [user.id]),
      this.markSeen(eventId, [user.id]),
    ]);
    const [isNew, seq, rank, waiting] = answer;
    this.activate(eventId);
    if (isNew === 0) return this.waitingStatus(eventId, rank!, waiting!);

    const now = new Date();
    const entryId = entryIdOf(eventId, user.id);
    const fresh: WaitingRoomEntryDoc = {
      _id: entryId,
      eventId,
      userId: user.id,
      seq: seq!,
      state: 'WAITING',
      passId: null,
      passExpiresAt: null,
      attempts: 0,
      joinedAt: now,
      admittedAt: null,
    };
    // The entry is durable before the buyer is told a place (the admitter never admits an unknown buyer);
    // joins arriving together share one insert.
    if (await this.inserts.load(fresh)) return this.placed(room, fresh);
    // MongoDB already knows this buyer: their recorded place (or pass) wins over the new sequence.
    const entry = await this.entries.findById(entryId).lean<WaitingRoomEntryDoc>().exec();
    if (!entry) throw unavailable('The waiting room is busy; try again');
    if (entry.state === 'WAITING') return this.placed(room, entry);
    if (entry.state === 'ADMITTED' && entry.passExpiresAt! > now) return this.statusOf(entry, now);
    // Their turn is over (pass used or expired): a new place at the back, under the new sequence.
    const requeued = await this.entries
      .updateOne(
        { _id: entryId, state: entry.state, passId: entry.passId },
        {
          $set: {
            state: 'WAITING',
            seq: seq!,
            passId: null,
            passExpiresAt: null,
            attempts: 0,
            joinedAt: now,
            admittedAt: null,
          },
        },
      )
      .exec();
    if (requeued.modifiedCount === 1) return this.placed(room, fresh);
    return this.status(user, eventId);
  }

  /**
   * The caller's state in the room, without joining. Reads that arrive together (every subscriber of a room
   * after one change, a burst of polls) share one batch: one Redis call for the places of all of a room's
   * callers, one MongoDB read for those not in the queue.
   */
  status(user: AuthUser, eventId: string): Promise<WaitingRoomStatus> {
    return this.statuses.load(`${eventId} ${user.id}`);
  }

  private async statusBatch(keys: readonly string[]): Promise<Array<WaitingRoomStatus | Error>> {
    const byEvent = new Map<string, number[]>();
    keys.forEach((key, i) => {
      const eventId = key.slice(0, key.indexOf(' '));
      const indexes = byEvent.get(eventId);
      if (indexes) indexes.push(i);
      else byEvent.set(eventId, [i]);
    });
    const out = new Array<WaitingRoomStatus | Error>(keys.length);
    await Promise.all(
      [...byEvent].map(async ([eventId, indexes]) => {
        try {
          const userIds = indexes.map((i) => keys[i]!.slice(eventId.length + 1));
          const statuses = await this.statusesOf(eventId, userIds);
          indexes.forEach((i, j) => (out[i] = statuses[j]!));
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const i of indexes) out[i] = failure;
        }
      }),
    );
    return out;
  }

  private async statusesOf(eventId: string, userIds: string[]): Promise<WaitingRoomStatus[]> {
    if (await this.closure(eventId)) return userIds.map(() => this.plain(eventId, WaitingRoomState.CLOSED));
    const room = await this.activeRoom(eventId);
    if (!room) return userIds.map(() => this.plain(eventId, WaitingRoomState.NOT_NEEDED));
    const keys = this.keys(eventId);
    const [ranks, perMinute] = await Promise.all([
      this.script(room, RANKS_SCRIPT, [keys.state, keys.queue], userIds),
      this.admittedPerMinute(eventId),
      this.markSeen(eventId, userIds),
    ]);
    const out = new Array<WaitingRoomStatus>(userIds.length);
    const notQueued: number[] = [];
    ranks.forEach((rank, i) => {
      if (rank >= 0) out[i] = this.waitingAt(eventId, rank, perMinute);
      else notQueued.push(i);
    });
    if (notQueued.length < userIds.length) this.activate(eventId);
    if (notQueued.length === 0) return out;
    // One read by _id each (few: those admitted since the last change, mostly), remembered for a moment when
    // the buyer's turn has come (their subscription reads again at every change until they leave). Not one
    // `$in` query: the local MongoDB-compatible server answers that by reading the whole collection.
    const now = new Date();
    await Promise.all(
      notQueued.map(async (i) => {
        const entry = await this.settledEntry(entryIdOf(eventId, userIds[i]!), now);
        if (!entry) out[i] = this.plain(eventId, WaitingRoomState.NOT_JOINED);
        else if (entry.state === 'WAITING') out[i] = await this.placed(room, entry);
        else out[i] = this.statusOf(entry, now);
      }),
    );
    return out;
  }

  /**
   * The entry of a buyer who is not in the queue. An admitted or used one is remembered for `BATCHING.settledMs`
   * (it changes only when the pass is used, which this answer may then miss for that long, or when the buyer
   * joins again, which forgets it here and puts them in the queue, where they are found first).
   */
  private async settledEntry(entryId: string, now: Date): Promise<WaitingRoomEntryDoc | null> {
    const known = this.settled.get(entryId);
    if (known && now.getTime() - known.at <= BATCHING.settledMs) return known.entry;
    const entry = await this.entries.findById(entryId).lean<WaitingRoomEntryDoc>().exec();
    if (entry && entry.state !== 'WAITING') {
      this.settled.delete(entryId);
      this.settled.set(entryId, { at: now.getTime(), entry });
      if (this.settled.size > BATCHING.settledMax) this.settled.delete(this.settled.keys().next().value!);
    }
    return entry;
  }

  /**
   * Writes a batch of new entries with one unordered insert. A buyer who already has an entry (a concurrent
   * join of theirs, or an earlier turn) is answered false; any other failure fails that buyer's join.
   */
  private async insertBatch(docs: readonly WaitingRoomEntryDoc[]): Promise<Array<boolean | Error>> {
    try {
      // The native collection: one command for the batch, the documents already in their stored shape.
      const collection = this.entries.collection as unknown as {
        insertMany(docs: WaitingRoomEntryDoc[], options: { ordered: boolean }): Promise<unknown>;
      };
      await collection.insertMany([...docs], { ordered: false });
      return docs.map(() => true);
    } catch (error) {
      const reported = (error as { writeErrors?: unknown }).writeErrors;
      const writeErrors = (Array.isArray(reported) ? reported : reported ? [reported] : []) as Array<{
        index: number;
        code?: number;
      }>;
      const failure = error instanceof Error ? error : new Error(String(error));
      if (writeErrors.length === 0) return docs.map(() => failure);
      const failed = new Map(writeErrors.map((e) => [e.index, e.code === 11000 ? false : failure]));
      return docs.map((_, i) => failed.get(i) ?? true);
    }
  }

  /** A WAITING entry Redis does not have (lost, or being admitted this instant): put it back at its place. */
  private async placed(room: WaitingRoomDoc, entry: WaitingRoomEntryDoc): Promise<WaitingRoomStatus> {
    const keys = this.keys(entry.eventId);
    const answer = await this.script(
      room,
      PLACE_SCRIPT,
      [keys.state, keys.queue, keys.admitted],
      [entry.userId, String(entry.seq), 'place', String(Date.now())],
    );
    this.activate(entry.eventId);
    if (answer[0] === BEING_ADMITTED) {
      // Admitted a moment ago (the entry was read just before the admission was written): say so.
      const now = new Date();
      const fresh = await this.entries.findById(entry._id).lean<WaitingRoomEntryDoc>().exec();
      if (fresh && fresh.state !== 'WAITING') return this.statusOf(fresh, now);
      return { ...this.plain(entry.eventId, WaitingRoomState.WAITING), position: 1, estimatedWaitSeconds: 0 };
    }
    return this.waitingStatus(entry.eventId, answer[0]!, answer[1]!);
  }

  private statusOf(entry: WaitingRoomEntryDoc, now: Date): WaitingRoomStatus {
    if (entry.state === 'USED') return this.plain(entry.eventId, WaitingRoomState.PASS_USED);
    if (entry.passExpiresAt! <= now) return this.plain(entry.eventId, WaitingRoomState.PASS_EXPIRED);
    return {
      ...this.plain(entry.eventId, WaitingRoomState.ADMITTED),
      admissionPass: signAdmissionPass(this.passKey, {
        eventId: entry.eventId,
        userId: entry.userId,
        passId: entry.passId!,
        expiresAt: entry.passExpiresAt!,
      }),
      passExpiresAt: entry.passExpiresAt,
    };
  }

  private plain(eventId: string, state: WaitingRoomState): WaitingRoomStatus {
    return {
      eventId,
      state,
      position: null,
      estimatedWaitSeconds: null,
      admissionPass: null,
      passExpiresAt: null,
      at: new Date(),
    };
  }

  private async waitingStatus(eventId: string, rank: number, _waiting: number): Promise<WaitingRoomStatus> {
    return this.waitingAt(eventId, rank, await this.admittedPerMinute(eventId));
  }

  private waitingAt(eventId: string, rank: number, perMinute: number): WaitingRoomStatus {
    const position = rank + 1;
    return {
      ...this.plain(eventId, WaitingRoomState.WAITING),
      position,
      estimatedWaitSeconds: perMinute > 0 ? Math.ceil((position * 60) / perMinute) : null,
    };
  }

  private async admittedPerMinute(eventId: string): Promise<number> {
    const keys = this.keys(eventId);
    const now = Date.now();
    const minute = Math.floor(now / 60_000);
    const counts = await this.redis.client
      .mget(keys.minute(minute), keys.minute(minute - 1))
      .catch(() => [null, null]);
    return lastMinute(Number(counts[0] ?? 0) || 0, Number(counts[1] ?? 0) || 0, now);
  }

  /**
   * Why the event sells no more (cancelled, ended), or null while it may; NOT_FOUND for an unknown event.
   * From a per-process copy at most ROOM_CACHE_MS old, so a flood of joins and reads costs no extra reads.
   */
  private async closure(eventId: string): Promise<string | null> {
    const reason = await this.closures.get(eventId, async () => {
      const event = await this.catalog.findEvent(eventId);
      return event ? eventClosure(event, new Date()) : undefined;
    });
    if (reason === undefined) throw notFound('Event', 'eventId');
    return reason;
  }

  /**
   * The event's replica changed (ticket's consumer calls this after applying it). When that closed its sale
   * (cancelled, or moved into the past), everyone watching the room is told at once (CLOSED), and nobody is
   * admitted any more.
   */
  async eventChanged(eventId: string): Promise<void> {
    this.closures.forget(eventId);
    if (await this.closure(eventId).catch(() => null)) await this.announce(eventId);
  }

  /** The room when it is on, else null after checking the event exists (NOT_FOUND otherwise). */
  private async activeRoom(eventId: string): Promise<WaitingRoomDoc | null> {
    const room = await this.room(eventId);
    if (room?.enabled) return room;
    if (!(await this.catalog.findEvent(eventId))) throw notFound('Event', 'eventId');
    return null;
  }

  /** Runs a room script; rebuilds the room from MongoDB (once) when its Redis state is missing. */
  private async script(
    room: WaitingRoomDoc,
    script: string,
    keys: string[],
    args: string[],
  ): Promise<number[]> {
    for (let attempt = 0; ; attempt++) {
      let answer: number[];
      try {
        answer = ((await this.redis.client.eval(script, keys.length, ...keys, ...args)) as unknown[]).map(
          Number,
        );
      } catch (err) {
        this.log.warn({ err, eventId: room._id }, 'waiting room unavailable (redis)');
        throw unavailable('The waiting room is unavailable right now; try again');
      }
      if (answer[0] !== NOSTATE) return answer;
      if (attempt > 0) throw unavailable('The waiting room is being restored; try again');
      await this.ensureState(room._id, room);
    }
  }

  // ---- the reserve path -------------------------------------------------------------------------

  /**
   * reserveTickets goes through here. Room off (or unknown ticket type): `reserve()` at once, nothing else.
   * Room on: the pass must be valid for this event and buyer and not expired; it is claimed in MongoDB
   * (`ADMITTED → USED`, guarded on the pass id, expiry and attempts) before anything is held, so a pass
   * serves one reservation, even under concurrent use and after a Redis flush. A refused attempt gives the
   * pass back (up to PASS_ATTEMPTS attempts); a successful hold spends it and frees its slot.
   */
  async guardReserve<T>(
    user: AuthUser,
    ticketTypeId: string,
    admissionPass: string | undefined,
    reserve: () => Promise<T>,
  ): Promise<T> {
    const context = await this.catalog.saleContext(ticketTypeId);
    if (!context) return reserve();
    const eventId = context.event._id;
    const room = await this.room(eventId);
    if (!room?.enabled) return reserve();
    // A sale over for good is refused by reserve() itself (FORBIDDEN), without touching anyone's pass.
    if (eventClosure(context.event, new Date())) return reserve();

    const claim = await this.claimPass(user, eventId, admissionPass);
    const limiter = this.limiterFor(room);
    const started = performance.now();
    try {
      const result = await reserve();
      limiter.observe(performance.now() - started, false);
      await this.spend(claim);
      return result;
    } catch (error) {
      const code = errorCodeOf(error);
      const ours = code === undefined || OVERLOAD_CODES.has(code);
      limiter.observe(performance.now() - started, ours);
      // A typo (bad input) or our own failure does not use up one of the pass's attempts.
      const counted = !ours && code !== ErrorCode.BAD_USER_INPUT;
      await this.giveBack(claim, counted).catch((err: unknown) =>
        this.log.warn({ err, eventId }, 'could not give a pass back after a refused reservation'),
      );
      throw error;
    }
  }

  private async claimPass(user: AuthUser, eventId: string, token: string | undefined): Promise<Claim> {
    if (!token) throw admissionRequired('MISSING');
    const check = verifyAdmissionPass(this.passKey, token, { eventId, userId: user.id });
    if (!check.ok) throw admissionRequired(check.problem);
    const entryId = entryIdOf(eventId, user.id);
    this.settled.delete(entryId);
    const { passId } = check.claims;
    for (let tries = 1; ; tries++) {
      const claimed = await this.entries
        .updateOne(
          {
            _id: entryId,
            state: 'ADMITTED',
            passId,
            passExpiresAt: { $gt: new Date() },
            attempts: { $lt: PASS_ATTEMPTS },
          },
          { $set: { state: 'USED' }, $inc: { attempts: 1 } },
        )
        .exec();
      if (claimed.modifiedCount === 1) return { eventId, userId: user.id, entryId, passId };
      // Refused: say why (one read, only on this path).
      const entry = await this.entries.findById(entryId).lean<WaitingRoomEntryDoc>().exec();
      if (!entry || entry.passId !== passId) throw admissionRequired(entry ? 'REPLACED' : 'MALFORMED');
      if (entry.attempts >= PASS_ATTEMPTS) throw admissionRequired('USED');
      if (!entry.passExpiresAt || entry.passExpiresAt.getTime() <= Date.now())
        throw admissionRequired('EXPIRED');
      // The pass is still good: another request of this buyer holds it (USED, its slot still live: a hold
      // spends the pass and frees the slot) or has just handed it back (ADMITTED). Wait for that one's outcome,
      // or claim again, rather than call a good pass expired or used.
      if (entry.state === 'USED' && !(await this.slotLive(eventId, passId))) throw admissionRequired('USED');
      if (tries >= PASS_BUSY_TRIES) throw admissionRequired('USED');
      if (entry.state === 'USED') await new Promise((resolve) => setTimeout(resolve, PASS_BUSY_WAIT_MS));
    }
  }

  /** Whether the pass still holds its admission slot (Redis unreachable: no, which answers USED at once). */
  private async slotLive(eventId: string, passId: string): Promise<boolean> {
    const score = await this.redis.client.zscore(this.keys(eventId).live, passId).catch(() => null);
    return score !== null;
  }

  /** A hold was taken: the pass is spent and its slot goes to the next buyer. */
  private async spend(claim: Claim): Promise<void> {
    await this.freeSlot(claim);
  }

  /**
   * A refused attempt: the buyer may try again with the same pass while attempts and time remain. An attempt
   * that is not `counted` (bad input, or the service's own failure) is handed back as well.
   */
  private async giveBack(claim: Claim, counted: boolean): Promise<void> {
    this.settled.delete(claim.entryId);
    const back = await this.entries
      .updateOne(
        {
          _id: claim.entryId,
          state: 'USED',
          passId: claim.passId,
          attempts: { $lt: counted ? PASS_ATTEMPTS : PASS_ATTEMPTS + 1 },
        },
        { $set: { state: 'ADMITTED' }, ...(counted ? {} : { $inc: { attempts: -1 } }) },
      )
      .exec();
    if (back.modifiedCount === 0) await this.freeSlot(claim);
  }

  private async freeSlot(claim: Claim): Promise<void> {
    const keys = this.keys(claim.eventId);
    await this.redis.client
      .multi()
      .zrem(keys.live, claim.passId)
      .zrem(keys.admitted, claim.userId)
      .exec()
      .catch(() => undefined);
    this.activate(claim.eventId);
  }

  // ---- admission --------------------------------------------------------------------------------

  /** Makes sure this process's admitter runs for the room, soon. */
  private activate(eventId: string): void {
    // A new mark each time, so a run that found the queue empty does not drop a room someone just joined.
    this.active.set(eventId, (this.active.get(eventId) ?? 0) + 1);
    this.admitter.start();
    this.admitter.dueAt();
  }

  /** One admitter run over the rooms this process serves (exposed for tests: `admitNow`). */
  private async admitAll(now: Date): Promise<{ worked: number; nextDueAt?: Date | null }> {
    let worked = 0;
    let nextDueAt: Date | null = null;
    for (const [eventId, mark] of [...this.active]) {
      try {
        const result = await this.admit(eventId, now);
        worked += result.admitted;
        if (result.waiting === 0 && this.active.get(eventId) === mark) this.active.delete(eventId);
        else if (result.earliestExpiry && (!nextDueAt || result.earliestExpiry < nextDueAt))
          nextDueAt = result.earliestExpiry;
      } catch (err) {
        this.log.warn({ err, eventId }, 'admission run failed; will retry');
      }
    }
    // Nothing left to admit anywhere: the loop stops (it costs nothing at rest) until the next join.
    if (this.active.size === 0) void this.admitter.stop();
    return { worked, nextDueAt };
  }

  /** Admits the head of one room's queue up to its current limit. */
  async admit(
    eventId: string,
    now = new Date(),
  ): Promise<{ admitted: number; waiting: number; earliestExpiry: Date | null }> {
    const room = await this.room(eventId);
    if (!room?.enabled) return { admitted: 0, waiting: 0, earliestExpiry: null };
    if (await this.closure(eventId).catch(() => null)) {
      // Cancelled or over: nobody is let in any more; whoever still watches hears CLOSED, once (the room then
      // leaves the admitter's list, and no join can put it back).
      await this.announce(eventId);
      return { admitted: 0, waiting: 0, earliestExpiry: null };
    }
    const limit = this.limiterFor(room).limit;
    const keys = this.keys(eventId);
    const ttlMs = room.passTtlSeconds * 1000;
    const base = randomBytes(9).toString('base64url');
    const answer = (await this.redis.client.eval(
      ADMIT_SCRIPT,
      6,
      keys.state,
      keys.queue,
      keys.live,
      keys.minute(Math.floor(now.getTime() / 60_000)),
      keys.admitted,
      keys.seen,
      String(now.getTime()),
      String(limit),
      String(ttlMs),
      String(ADMIT_BATCH),
      base,
      String(this.slotHoldMs),
      String(now.getTime() - this.presenceMs),
    )) as Array<string | number>;
    if (Number(answer[0]) === NOSTATE) {
      await this.ensureState(eventId, room);
      return { admitted: 0, waiting: 1, earliestExpiry: null };
    }
    const waiting = Number(answer[0]);
    const earliest = Number(answer[1]);
    const passExpiresAt = new Date(now.getTime() + ttlMs);
    const admitted: Array<{ userId: string; seq: number; passId: string }> = [];
    const passedOver = Number(answer[2]);
    if (passedOver > 0) this.log.info({ eventId, passedOver }, 'passed over buyers who left the queue');
    for (let i = 3; i + 2 < answer.length; i += 3) {
      admitted.push({ userId: String(answer[i]), seq: Number(answer[i + 1]), passId: String(answer[i + 2]) });
    }
    await Promise.all(
      admitted.map(async ({ userId, seq, passId }) => {
        const result = await this.entries
          .updateOne(
            { _id: entryIdOf(eventId, userId), state: 'WAITING', seq },
            { $set: { state: 'ADMITTED', passId, passExpiresAt, admittedAt: now, attempts: 0 } },
          )
          .exec()
          .catch((err: unknown) => {
            this.log.warn({ err, eventId }, 'could not record an admission');
            return { modifiedCount: 0 };
          });
        if (result.modifiedCount !== 1) await this.notAdmitted(eventId, userId, passId, now);
      }),
    );
    if (admitted.length > 0)
      await this.announce(
        eventId,
        admitted.map((a) => a.userId),
      );
    return {
      admitted: admitted.length,
      waiting,
      earliestExpiry: waiting > 0 && earliest > 0 ? new Date(earliest) : null,
    };
  }

  /**
   * A popped buyer whose admission MongoDB did not take. Usually an admission that was in flight when Redis
   * lost the room: the rebuild read the entry still WAITING and queued it again at the head, so it was popped
   * twice. Its first pass is the one that counts, so that pass takes the slot back and the new one is
   * dropped; outstanding passes stay exactly at the limit. Anyone else's slot simply goes back.
   */
  private async notAdmitted(eventId: string, userId: string, passId: string, now: Date): Promise<void> {
    const keys = this.keys(eventId);
    const entry = await this.entries
      .findById(entryIdOf(eventId, userId))
      .lean<WaitingRoomEntryDoc>()
      .exec()
      .catch(() => null);
    const tx = this.redis.client.multi().zrem(keys.live, passId);
    if (entry?.state === 'ADMITTED' && entry.passId && entry.passExpiresAt && entry.passExpiresAt > now) {
      tx.zadd(keys.live, entry.passExpiresAt.getTime(), entry.passId);
      tx.zadd(keys.admitted, entry.passExpiresAt.getTime(), userId);
    } else {
      tx.zrem(keys.admitted, userId);
    }
    await tx.exec().catch(() => undefined);
  }

  /**
   * The room's Redis state from MongoDB: the queue of WAITING entries at their sequences, the passes still
   * valid as outstanding (so nobody is admitted in their place: no flood), the sequence counter above every
   * sequence handed out. One process rebuilds (a Redis lock); the others wait for it.
   */
  private ensureState(eventId: string, room: WaitingRoomDoc): Promise<void> {
    const running = this.rebuilds.get(eventId);
    if (running) return running;
    const rebuild = this.rebuild(eventId, room).finally(() => this.rebuilds.delete(eventId));
    this.rebuilds.set(eventId, rebuild);
    return rebuild;
  }

  private async rebuild(eventId: string, room: WaitingRoomDoc): Promise<void> {
    const keys = this.keys(eventId);
    const client = this.redis.client;
    if ((await client.exists(keys.state)) === 1) return;
    const token = randomBytes(9).toString('base64url');
    const locked = await client.set(keys.lock, token, 'PX', REBUILD_LOCK_MS, 'NX');
    if (locked !== 'OK') {
      const until = Date.now() + REBUILD_WAIT_MS;
      while (Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if ((await client.exists(keys.state)) === 1) return;
      }
      throw unavailable('The waiting room is being restored; try again');
    }
    try {
      const now = new Date();
      const [waiting, admitted, last] = await Promise.all([
        this.entries
          .find({ eventId, state: 'WAITING' }, { userId: 1, seq: 1 })
          .sort({ seq: 1 })
          .lean<Array<Pick<WaitingRoomEntryDoc, 'userId' | 'seq'>>>()
          .exec(),
        this.entries
          .find({ eventId, state: 'ADMITTED' }, { userId: 1, passId: 1, passExpiresAt: 1, admittedAt: 1 })
          .lean<Array<Pick<WaitingRoomEntryDoc, 'userId' | 'passId' | 'passExpiresAt' | 'admittedAt'>>>()
          .exec(),
        this.entries.findOne({ eventId }, { seq: 1 }).sort({ seq: -1 }).lean<{ seq: number }>().exec(),
      ]);
      const tx = client.multi().del(keys.queue, keys.live, keys.admitted);
      for (let i = 0; i < waiting.length; i += 1000) {
        tx.zadd(keys.queue, ...waiting.slice(i, i + 1000).flatMap((e) => [e.seq, e.userId]));
      }
      const lapseOf = (e: (typeof admitted)[number]) =>
        Math.min(e.passExpiresAt!.getTime(), (e.admittedAt ?? now).getTime() + this.slotHoldMs);
      const live = admitted.filter((e) => e.passId && e.passExpiresAt && e.passExpiresAt > now);
      const holding = live.filter((e) => lapseOf(e) > now.getTime());
      for (let i = 0; i < holding.length; i += 1000) {
        tx.zadd(keys.live, ...holding.slice(i, i + 1000).flatMap((e) => [lapseOf(e), e.passId!]));
      }
      for (let i = 0; i < live.length; i += 1000) {
        tx.zadd(
          keys.admitted,
          ...live.slice(i, i + 1000).flatMap((e) => [e.passExpiresAt!.getTime(), e.userId]),
        );
      }
      tx.set(keys.seq, String(last?.seq ?? 0));
      tx.hset(keys.state, 'builtAt', String(now.getTime()), 'limit', String(this.limiterFor(room).limit));
      await tx.exec();
      this.log.info(
        { eventId, waiting: waiting.length, outstanding: holding.length },
        'waiting room state built from MongoDB',
      );
    } finally {
      await client.eval(
        "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
        1,
        keys.lock,
        token,
      );
    }
  }

  // ---- live updates -----------------------------------------------------------------------------

  /**
   * Tells every replica's subscribers of this room that it changed: `popped` are the buyers whose turn came
   * (each is told at once; everyone else's position moved, which they hear at their own pace); without it,
   * anything may have changed for anyone (the room was switched, or retuned).
   */
  private async announce(eventId: string, popped?: string[]): Promise<void> {
    const message = popped ? `${POPPED} ${popped.join(' ')}` : ROOM_CHANGED;
    await this.redis.client.publish(this.keys(eventId).channel, message).catch(() => undefined);
  }

  /** The caller's status now, then after every change to the room (coalesced), until they unsubscribe. */
  updates(
    user: AuthUser,
    eventId: string,
  ): AsyncGenerator<{ waitingRoomUpdated: WaitingRoomStatus }, void, unknown> {
    const channel = this.keys(eventId).channel;
    const stream = this.live.snapshots(channel, {
      minIntervalMs: UPDATE_EVERY_MS,
      read: async () => ({ waitingRoomUpdated: await this.status(user, eventId) }),
      // Only what the buyer would see change: the same status at a later `at` is not sent, and a waiting
      // buyer's new position only once per position interval (a change of state goes at once).
      same: ({ waitingRoomUpdated: next }, { waitingRoomUpdated: previous }) =>
        shownOf(next) === shownOf(previous) ||
        (next.state === WaitingRoomState.WAITING &&
          previous.state === WaitingRoomState.WAITING &&
          next.at.getTime() - previous.at.getTime() < this.positionEveryMs(channel)),
      // A waiting buyer reads at once only when their own turn came (or the room changed); when others were
      // let in, not before their position may be pushed again. So a room of thousands does not read every
      // buyer's status at every admission.
      deferWake: (message, last) => {
        const shown = last?.waitingRoomUpdated;
        if (!shown || shown.state !== WaitingRoomState.WAITING || !message.startsWith(POPPED)) return 0;
        if (message.includes(user.id)) return 0;
        return shown.at.getTime() + this.positionEveryMs(channel) - Date.now();
      },
    });
    // While the subscription is open the buyer is present (see presenceMs).
    return onEnd(stream, this.watch(eventId, user.id));
  }

  /** Counts an open subscription of the buyer; the answer releases it. */
  private watch(eventId: string, userId: string): () => void {
    let room = this.watchers.get(eventId);
    if (!room) this.watchers.set(eventId, (room = new Map()));
    room.set(userId, (room.get(userId) ?? 0) + 1);
    this.presence ??= setInterval(() => void this.refreshPresence(), this.presenceMs / 4).unref();
    return () => {
      const count = room.get(userId) ?? 0;
      if (count > 1) room.set(userId, count - 1);
      else room.delete(userId);
      if (room.size === 0 && this.watchers.get(eventId) === room) this.watchers.delete(eventId);
    };
  }

  /** Marks every buyer with an open subscription in this process present (one call per room). */
  private async refreshPresence(): Promise<void> {
    if (this.watchers.size === 0) {
      clearInterval(this.presence);
      this.presence = undefined;
      return;
    }
    await Promise.all([...this.watchers].map(([eventId, room]) => this.markSeen(eventId, [...room.keys()])));
  }

  /** Records a sign of life of these buyers; never fails the caller (a lost mark counts as present). */
  private async markSeen(eventId: string, userIds: string[]): Promise<void> {
    if (userIds.length === 0) return;
    const key = this.keys(eventId).seen;
    const now = Date.now();
    await this.redis.client
      .multi()
      .zadd(key, ...userIds.flatMap((id) => [now, id]))
      .expire(key, 86_400)
      .exec()
      .catch(() => undefined);
  }

  /** How often one subscriber's position may be pushed, given how many watch the room in this process. */
  private positionEveryMs(channel: string): number {
    const spread = (this.live.listenerCount(channel) * 1000) / this.positionPushesPerS;
    return Math.min(POSITION_EVERY_MS.max, Math.max(POSITION_EVERY_MS.min, spread));
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.presence);
    await this.admitter.stop();
  }
}
