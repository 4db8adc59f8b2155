import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import {
  ContractError,
  emailSchema,
  newEnvelope,
  type EventData as ContractData,
  type EventEnvelope,
  type EventType,
} from '@ticketing/contracts';
import {
  appendOutbox,
  badInput,
  conflict,
  currentTraceId,
  EventFence,
  forbidden,
  getLogger,
  hourOf,
  InjectConfig,
  isValidEmail,
  normaliseEmail,
  notFound,
  OutboxRelay,
  type AuthUser,
} from '@ticketing/platform';
import type { Model } from 'mongoose';
import type { EventConfig } from '../config';
import { UsersService } from '../users/users.service';
import {
  checkCancelReason,
  checkEventTexts,
  checkNotPast,
  checkPlausibleSchedule,
  checkPublishable,
  checkSchedule,
  checkTicketType,
  checkTicketTypeWindows,
  checkTimeZoneName,
  checkVenueChange,
  checkVenueText,
  type TicketTypeDraft,
} from './domain/event-rules';
import {
  cancelledData,
  changedSnapshotFields,
  publishedData,
  salesWindow,
  staffChangedData,
  ticketTypeSnapshot,
  updatedData,
} from './domain/event-snapshots';
import {
  effectiveStatus,
  type EventDoc,
  type StaffData,
  type TicketTypeDoc,
  type VenueData,
} from './domain/event.types';
import { rule, RuleViolation } from './domain/rule-violation';
import { cityKey, searchTermsFor } from './domain/search-terms';
import { buildSeatMap } from './domain/seat-map';
import type { CreateEventInput } from './dto/create-event.input';
import type { TicketTypeInput } from './dto/ticket-type.input';
import type { UpdateEventInput } from './dto/update-event.input';
import type { UpdateTicketTypeInput } from './dto/update-ticket-type.input';
import type { VenueInput } from './dto/venue.input';
import { canCreateEvents, canManage, refusal } from './event-access';
import { EventCacheService } from './event-cache.service';
import { toEventView, type EventView } from './event-view';
import { EVENT_MODEL, type EventRecord } from './schemas/event.schema';

/**
 * A guard miss means another write of the same event landed, so every round lets one writer through;
 * this bounds how many concurrent writers one call outlasts before it answers CONFLICT.
 */
const MAX_WRITE_ATTEMPTS = 25;
/** Upper bound of the random pause before a recomputed attempt, so losers do not collide again at once. */
const RETRY_JITTER_MS = 20;
const MAX_STAFF = 1000;
const SOURCE = 'event';

/** Who performs a write: a signed-in user, or the service itself (consumers, sweepers). */
type Actor = AuthUser | 'system';

/** Builds the next state of an event from the current one, or returns null when nothing changes. */
type Transition = (current: EventDoc, now: Date) => EventDoc | null;
/** The envelopes a transition publishes, built from the states before and after it. */
type Announce = (before: EventDoc, after: EventDoc, now: Date) => EventEnvelope[];

interface WriteOptions {
  /** Argument path that rule fields are relative to (`input` for `input.endsAt`), or '' for none. */
  fieldPrefix: string;
  /**
   * The argument that named what is written, for NOT_FOUND and CONFLICT (`eventId` for addTicketType); and
   * what NOT_FOUND calls it. Default: `id`, "Event".
   */
  subject?: { field: string; what?: string };
  transition: Transition;
  announce?: Announce;
}

/** The argument of the mutations that name an event `eventId` (addTicketType, addEventStaff, removeEventStaff). */
const BY_EVENT_ID = { field: 'eventId' } as const;

/** Every nullable field of UpdateEventInput where an explicit null clears the value (absent keeps it). */
const CLEARABLE_EVENT_FIELDS = new Set(['salesStartAt', 'salesEndAt', 'perBuyerMax', 'doorsOpenAt']);

/**
 * The input fields a caller sent, for rules that blame the field that was sent (see SentFields). A null counts
 * only where it clears the value; elsewhere it means "unchanged" (`{ title: null }` changes nothing).
 */
function sentFields(input: object, clearable: ReadonlySet<string>): Set<string> {
  const sent = new Set<string>();
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || (value === null && !clearable.has(key))) continue;
    sent.add(key);
    // transferPolicy replaces the whole policy: both its fields are sent.
    if (key === 'transferPolicy') sent.add('transferPolicy.allowed').add('transferPolicy.deadline');
  }
  return sent;
}

/** Whether a write would change nothing but the version and the time of the change. */
function sameState(before: EventDoc, after: EventDoc): boolean {
  return STATE_FIELDS.every(
    (field) => field === 'version' || field === 'updatedAt' || isDeepStrictEqual(before[field], after[field]),
  );
}

/** Every field an event write may change (everything but the id and the outbox). */
const STATE_FIELDS = [
  'title',
  'description',
  'category',
  'venue',
  'startsAt',
  'endsAt',
  'timeZone',
  'status',
  'salesStartAt',
  'salesEndAt',
  'transferPolicy',
  'perBuyerMax',
  'doorsOpenAt',
  'allowReentry',
  'ticketTypes',
  'allocated',
  'assignedSeats',
  'staff',
  'searchTerms',
  'cityKey',
  'endHour',
  'cancelReason',
  'publishedAt',
  'cancelledAt',
  'version',
  'updatedAt',
] as const satisfies ReadonlyArray<keyof EventDoc>;

/**
 * The event's own version its announcements carry (event.published/updated/cancelled/staff-changed); 0 when
 * none does (ticket-type.upserted is versioned by its type). Replicas reach it once they applied them all.
 */
function eventVersionOf(envelopes: readonly EventEnvelope[]): number {
  let version = 0;
  for (const announced of envelopes) {
    if (!announced.type.startsWith('event.')) continue;
    const data = announced.data as { aggregateVersion?: unknown };
    if (typeof data.aggregateVersion === 'number') version = Math.max(version, data.aggregateVersion);
  }
  return version;
}

function envelope<T extends EventType>(type: T, eventId: string, data: ContractData<T>): EventEnvelope {
  return newEnvelope(type, eventId, data as never, { source: SOURCE, traceId: currentTraceId() });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How far back the end-of-event sweeper looks after a start (events that ended while no replica ran). */
const END_SWEEP_LOOKBACK_HOURS = 7 * 24;

function trimmed(value: string): string {
  return value.trim();
}

/** Keeps the derived fields (capacity counter, seat index, search terms, end hour) in step with the state. */
function derive(event: EventDoc): EventDoc {
  event.endHour = hourOf(event.endsAt);
  event.allocated = event.ticketTypes.reduce((sum, tt) => sum + tt.quantity, 0);
  event.assignedSeats = event.ticketTypes.flatMap((tt) => tt.seatIds);
  event.cityKey = cityKey(event.venue.city);
  event.searchTerms = searchTermsFor([event.title, event.category, event.venue.city, event.venue.name]);
  return event;
}

/**
 * Organizer writes. Each one loads the event document, checks the caller, computes the whole next state
 * with the pure domain rules, and writes it with ONE `updateOne` guarded on the version it read, queueing
 * the Kafka envelopes in the same update (outbox `$push`). A concurrent write makes the guard miss; the
 * write is then recomputed from the new state, so capacity and seat uniqueness hold without
 * transactions. The outbox relay only touches `outboxLeaseUntil` and pops published entries off the
 * front of `outbox`, fields no domain write sets, and every update is atomic per document, so writers
 * never wait for the relay: a mutation returns once its update landed and publication is asynchronous.
 */
@Injectable()
export class EventsService {
  private readonly log = getLogger('events');
  private readonly currencies: ReadonlySet<string>;
  /** The last hour of event ends the sweeper has finished (see `endFinishedEvents`). */
  private endSweptThrough?: number;

  constructor(
    @InjectModel(EVENT_MODEL) private readonly events: Model<EventRecord>,
    private readonly users: UsersService,
    private readonly relay: OutboxRelay,
    private readonly cache: EventCacheService,
    @InjectConfig() config: EventConfig,
    private readonly fence: EventFence,
  ) {
    this.currencies = new Set(config.EVENT_CURRENCIES);
  }

  async create(user: AuthUser, input: CreateEventInput): Promise<EventView> {
    if (!canCreateEvents(user)) throw forbidden('Only organizers create events');
    const now = new Date();
    const event = this.withRules('input', () => {
      const doc: EventDoc = derive({
        _id: randomUUID(),
        organizerId: user.id,
        title: trimmed(input.title),
        description: (input.description ?? '').trim(),
        category: input.category,
        venue: this.venueFrom(input.venue),
        startsAt: input.startsAt,
        endsAt: input.endsAt,
        timeZone: input.timeZone,
        status: 'DRAFT',
        salesStartAt: input.salesStartAt ?? null,
        salesEndAt: input.salesEndAt ?? null,
        transferPolicy: {
          allowed: input.transferPolicy?.allowed ?? true,
          deadline: input.transferPolicy?.deadline ?? null,
        },
        perBuyerMax: input.perBuyerMax ?? null,
        doorsOpenAt: input.doorsOpenAt ?? null,
        allowReentry: input.allowReentry ?? false,
        ticketTypes: [],
        allocated: 0,
        assignedSeats: [],
        staff: [],
        searchTerms: [],
        cityKey: '',
        cancelReason: null,
        publishedAt: null,
        cancelledAt: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
      checkEventTexts(doc);
      checkTimeZoneName(doc.timeZone);
      checkSchedule(doc);
      checkNotPast(doc, undefined, now);
      checkPlausibleSchedule(doc, undefined, now);
      return doc;
    });
    await this.events.create({ ...event, outbox: [] });
    return toEventView(event, true);
  }

  update(user: AuthUser, id: string, input: UpdateEventInput): Promise<EventView> {
    const sent = sentFields(input, CLEARABLE_EVENT_FIELDS);
    return this.write(id, user, {
      fieldPrefix: 'input',
      transition: (current, now) => {
        this.assertEditable(current, now);
        const next: EventDoc = { ...current };
        if (input.title != null) next.title = trimmed(input.title);
        if (input.description != null) next.description = input.description.trim();
        if (input.category != null) next.category = input.category;
        if (input.startsAt != null) next.startsAt = input.startsAt;
        if (input.endsAt != null) next.endsAt = input.endsAt;
        if (input.timeZone != null) next.timeZone = input.timeZone;
        if (input.salesStartAt !== undefined) next.salesStartAt = input.salesStartAt;
        if (input.salesEndAt !== undefined) next.salesEndAt = input.salesEndAt;
        if (input.transferPolicy != null) {
          next.transferPolicy = {
            allowed: input.transferPolicy.allowed,
            deadline: input.transferPolicy.deadline ?? null,
          };
        }
        // null removes the event-wide limit; absent keeps it.
        if (input.perBuyerMax !== undefined) next.perBuyerMax = input.perBuyerMax;
        // null goes back to the check-in default; absent keeps it.
        if (input.doorsOpenAt !== undefined) next.doorsOpenAt = input.doorsOpenAt;
        if (input.allowReentry != null) next.allowReentry = input.allowReentry;
        if (input.venue != null) {
          next.venue = this.venueFrom(input.venue);
          checkVenueChange(next.venue, current);
        }
        rule(next.title.length >= 3, 'title', 'The title needs at least 3 characters');
        // The texts sent are checked as they are written (a stored one is not checked again).
        checkEventTexts({
          title: input.title != null ? next.title : undefined,
          description: input.description != null ? next.description : undefined,
        });
        // A zone already stored keeps working (a form re-sending it is fine); a new one must be an IANA name.
        if (next.timeZone !== current.timeZone) checkTimeZoneName(next.timeZone);
        checkSchedule(next, sent);
        checkNotPast(next, current, now);
        checkPlausibleSchedule(next, current, now, sent);
        checkTicketTypeWindows(next);
        return derive(next);
      },
      announce: (before, after) => {
        if (after.status !== 'PUBLISHED') return [];
        const changed = changedSnapshotFields(before, after);
        return changed.length > 0 ? [envelope('event.updated', after._id, updatedData(after, changed))] : [];
      },
    });
  }

  publish(user: AuthUser, id: string): Promise<EventView> {
    return this.write(id, user, {
      fieldPrefix: '',
      transition: (current, now) => {
        if (current.status !== 'DRAFT')
          throw conflict(
            `The event is ${effectiveStatus(current, now)}, only a draft can be published`,
            'id',
          );
        checkPublishable(current, now);
        if (current.salesEndAt)
          rule(current.salesEndAt.getTime() > now.getTime(), 'salesEndAt', 'Sales would already be over');
        const deadline = current.transferPolicy.deadline;
        if (deadline)
          rule(
            deadline.getTime() > now.getTime(),
            'transferPolicy.deadline',
            'The transfer deadline has passed',
          );
        const next: EventDoc = { ...current, status: 'PUBLISHED', publishedAt: now };
        const window = salesWindow(next);
        for (const tt of next.ticketTypes) {
          const start = tt.salesStartAt ?? window.start;
          const end = tt.salesEndAt ?? window.end;
          rule(
            end.getTime() > Math.max(start.getTime(), now.getTime()),
            'ticketTypes',
            `Sales of "${tt.name}" would already be over`,
          );
        }
        return next;
      },
      announce: (_before, after) => [
        envelope('event.published', after._id, publishedData(after)),
        // Staff added while drafting reaches check-in together with the publication.
        ...(after.staff.length > 0
          ? [envelope('event.staff-changed', after._id, staffChangedData(after, after.staff))]
          : []),
      ],
    });
  }

  /**
   * Cancels a published event (announced: tickets are refunded and revoked downstream), or a draft. A draft
   * that was never published stays private once cancelled: its organizer keeps it, with its reason, among
   * their events (an archive), nobody else ever sees it, and nothing is announced (see isPublic).
   */
  cancel(user: AuthUser, id: string, reason: string): Promise<EventView> {
    const text = reason.trim();
    this.withRules('', () => checkCancelReason(text));
    return this.write(id, user, {
      fieldPrefix: '',
      transition: (current, now) => {
        const status = effectiveStatus(current, now);
        if (status === 'CANCELLED' || status === 'ENDED')
          throw conflict(`The event is already ${status}`, 'id');
        return { ...current, status: 'CANCELLED', cancelReason: text, cancelledAt: now };
      },
      announce: (before, after) =>
        before.status === 'PUBLISHED'
          ? [envelope('event.cancelled', after._id, cancelledData(after, user.id))]
          : [],
    });
  }

  addTicketType(user: AuthUser, eventId: string, input: TicketTypeInput): Promise<EventView> {
    return this.write(eventId, user, {
      fieldPrefix: 'input',
      subject: BY_EVENT_ID,
      transition: (current, now) => {
        this.assertEditable(current, now, BY_EVENT_ID.field);
        const draft = this.ticketTypeDraft(input);
        const { quantity, seatIds } = checkTicketType(draft, current, { currencies: this.currencies, now });
        const tt: TicketTypeDoc = {
          ...draft,
          id: randomUUID(),
          quantity,
          seatIds,
          version: 1,
          createdAt: now,
          updatedAt: now,
        };
        return derive({ ...current, ticketTypes: [...current.ticketTypes, tt] });
      },
      announce: (_before, after) => this.ticketTypeAnnouncement(after, after.ticketTypes.at(-1)!),
    });
  }

  async updateTicketType(
    user: AuthUser,
    ticketTypeId: string,
    input: UpdateTicketTypeInput,
  ): Promise<EventView> {
    const owner = await this.events
      .findOne({ 'ticketTypes.id': ticketTypeId }, { _id: 1 })
      .lean<{ _id: string }>()
      .exec();
    if (!owner) throw notFound('Ticket type', 'id');
    // Of a ticket type's nullable fields, only its own sales window is cleared by null.
    const sent = sentFields(input, new Set(['salesStartAt', 'salesEndAt']));
    return this.write(owner._id, user, {
      fieldPrefix: 'input',
      // Someone else's draft looks exactly like a ticket type that does not exist.
      subject: { field: 'id', what: 'Ticket type' },
      transition: (current, now) => {
        this.assertEditable(current, now);
        const existing = current.ticketTypes.find((t) => t.id === ticketTypeId);
        if (!existing) throw notFound('Ticket type', 'id');
        const draft = this.ticketTypeDraft(input, existing);
        if (current.status === 'PUBLISHED') {
          rule(draft.kind === existing.kind, 'kind', 'The kind of a ticket type on sale cannot change');
          const kept = new Set(draft.seatIds ?? []);
          rule(
            existing.seatIds.every((s) => kept.has(s)),
            'seatIds',
            'Seats of a ticket type on sale can be added, not removed',
          );
          // Its tickets may be sold or held: a lower quantity would free venue capacity the ticket service still
          // sells (it never drops below what is sold and held), and other types could oversell the venue.
          rule(
            draft.quantity === undefined || draft.quantity === null || draft.quantity >= existing.quantity,
            'quantity',
            'The quantity of a ticket type on sale can be raised, not lowered; end its sales window to stop selling it',
          );
        }
        const { quantity, seatIds } = checkTicketType(draft, current, {
          currencies: this.currencies,
          replacing: existing,
          sent,
          now,
        });
        const updated: TicketTypeDoc = {
          ...existing,
          ...draft,
          quantity,
          seatIds,
          version: existing.version + 1,
          updatedAt: now,
        };
        // Nothing new (nulls only, or the values it already has): no version, nothing announced.
        if (
          isDeepStrictEqual(
            { ...updated, version: existing.version, updatedAt: existing.updatedAt },
            existing,
          )
        )
          return null;
        return derive({
          ...current,
          ticketTypes: current.ticketTypes.map((t) => (t.id === ticketTypeId ? updated : t)),
        });
      },
      announce: (_before, after) =>
        this.ticketTypeAnnouncement(
          after,
          after.ticketTypes.find((t) => t.id === ticketTypeId)!,
        ),
    });
  }

  /**
   * Adds a staff member by email. A known account (from the `user.registered` replica) is bound at once;
   * an unknown email is kept pending (userId null) and bound when that account registers.
   *
   * Binding is race-free because each side writes before it reads what the other one writes: this method
   * writes the pending entry, THEN reads the replica again (and binds if the account is there now); the
   * `user.registered` consumer writes the replica, THEN looks for pending entries (bindStaff). Whatever the
   * interleaving, the later of the two reads sees the other side's write, so at least one of them binds (both
   * may try: a bind is guarded and idempotent). Re-adding a member still pending binds it the same way.
   */
  async addStaff(user: AuthUser, eventId: string, rawEmail: string): Promise<EventView> {
    const email = this.checkedEmail(rawEmail);
    const account = await this.users.findByEmail(email);
    const view = await this.write(eventId, user, {
      fieldPrefix: '',
      subject: BY_EVENT_ID,
      transition: (current, now) => {
        this.assertEditable(current, now, BY_EVENT_ID.field);
        if (current.staff.some((s) => s.email === email)) return null;
        if (current.staff.length >= MAX_STAFF)
          throw badInput('email', `An event has at most ${MAX_STAFF} staff members`);
        const member: StaffData = {
          userId: account?._id ?? null,
          email,
          name: account?.name ?? null,
          addedAt: now,
        };
        return { ...current, staff: [...current.staff, member] };
      },
      announce: (_before, after) => [
        envelope('event.staff-changed', after._id, staffChangedData(after, after.staff)),
      ],
    });
    if (view.staff?.find((s) => s.email === email)?.userId !== null) return view;
    // Pending after the write: the account may have registered since the first read.
    const registered = account ?? (await this.users.findByEmail(email));
    if (!registered) return view;
    // The event as it is now: bound by this call or, meanwhile, by the consumer.
    return (await this.bindStaffIn(eventId, { id: registered._id, email, name: registered.name })).view;
  }

  removeStaff(user: AuthUser, eventId: string, rawEmail: string): Promise<EventView> {
    const email = this.checkedEmail(rawEmail, true);
    return this.write(eventId, user, {
      fieldPrefix: '',
      subject: BY_EVENT_ID,
      transition: (current, now) => {
        this.assertEditable(current, now, BY_EVENT_ID.field);
        if (!current.staff.some((s) => s.email === email))
          throw badInput('email', 'No staff member has this email');
        return { ...current, staff: current.staff.filter((s) => s.email !== email) };
      },
      announce: (_before, after) => [
        envelope('event.staff-changed', after._id, staffChangedData(after, after.staff)),
      ],
    });
  }

  /**
   * Binds pending staff entries to a newly registered account (called by the `user.registered` consumer
   * AFTER it wrote the account into the replica: see addStaff for why that order makes binding race-free).
   * Returns how many events it bound an entry in.
   */
  async bindStaff(account: { id: string; email: string; name: string }): Promise<number> {
    const email = normaliseEmail(account.email);
    const candidates = await this.events
      .find({ 'staff.email': email }, { _id: 1 })
      .lean<Array<{ _id: string }>>()
      .exec();
    let bound = 0;
    for (const { _id } of candidates) {
      if ((await this.bindStaffIn(_id, { ...account, email })).changed) bound += 1;
    }
    return bound;
  }

  /** Binds the entry of `account.email` in one event: the event after it, and whether this call bound it. */
  private async bindStaffIn(
    eventId: string,
    account: { id: string; email: string; name: string },
  ): Promise<{ view: EventView; changed: boolean }> {
    let changed = false;
    const view = await this.write(eventId, 'system', {
      fieldPrefix: '',
      transition: (current) => {
        changed = current.staff.some((s) => s.email === account.email && s.userId !== account.id);
        if (!changed) return null;
        return {
          ...current,
          staff: current.staff.map((s) =>
            s.email === account.email ? { ...s, userId: account.id, name: account.name } : s,
          ),
        };
      },
      announce: (_before, after) => [
        envelope('event.staff-changed', after._id, staffChangedData(after, after.staff)),
      ],
    });
    return { view, changed };
  }

  /**
   * Marks published events whose end has passed as ENDED and announces it (`event.updated`, status ENDED).
   * Safe to run in every replica: each write is guarded on the version it read.
   */
  /**
   * Turns published events whose end has passed into ENDED. It looks events up hour by hour of their end
   * (`{ endHour, status: 'PUBLISHED' }`, an indexed equality over the few events ending in that hour), from the
   * hour after the last one it finished up to the current one, so it never reads the events still on sale.
   * It never walks back more than END_SWEEP_LOOKBACK_HOURS (after a start, or a long pause).
   */
  async endFinishedEvents(now = new Date(), limit = 100): Promise<number> {
    const current = hourOf(now);
    let ended = 0;
    let complete = true;
    const from = Math.max(this.endSweptThrough ?? -Infinity, current - END_SWEEP_LOOKBACK_HOURS) + 1;
    for (let hour = from; hour <= current; hour++) {
      const due = await this.events
        .find({ endHour: hour, status: 'PUBLISHED', endsAt: { $lte: now } }, { _id: 1 })
        .limit(limit)
        .lean<Array<{ _id: string }>>()
        .exec();
      for (const { _id } of due) {
        await this.write(_id, 'system', {
          fieldPrefix: '',
          transition: (doc) =>
            doc.status === 'PUBLISHED' && doc.endsAt <= now ? { ...doc, status: 'ENDED' } : null,
          announce: (_before, after) => [
            envelope('event.updated', after._id, updatedData(after, ['status'], 'ENDED')),
          ],
        })
          .then(() => (ended += 1))
          .catch((error: unknown) => {
            complete = false;
            this.log.warn({ err: error, eventId: _id }, 'could not mark event as ended');
          });
      }
      if (due.length === limit) complete = false;
      // Past hours are finished once every event in them ended; the current one is looked at again.
      if (complete && hour < current) this.endSweptThrough = hour;
    }
    return ended;
  }

  private ticketTypeAnnouncement(event: EventDoc, tt: TicketTypeDoc): EventEnvelope[] {
    // Drafts are private: their ticket types travel inside `event.published` when the event goes on sale.
    if (event.status !== 'PUBLISHED') return [];
    return [envelope('ticket-type.upserted', event._id, ticketTypeSnapshot(event, tt))];
  }

  private assertEditable(event: EventDoc, now: Date, field = 'id'): void {
    const status = effectiveStatus(event, now);
    if (status === 'CANCELLED' || status === 'ENDED')
      throw conflict(`The event is ${status} and can no longer change`, field);
  }

  /**
   * A staff email to add: exactly the addresses sign-up accepts (isValidEmail). Removal only needs the shape
   * the contracts accept (`lenient`), so an entry stored under an older, looser rule can still be removed.
   */
  private checkedEmail(raw: string, lenient = false): string {
    const email = normaliseEmail(raw);
    const valid = lenient ? emailSchema.safeParse(email).success : isValidEmail(email);
    if (!valid) throw badInput('email', 'Not a valid email address');
    return email;
  }

  private venueFrom(input: VenueInput): VenueData {
    const capacity = input.capacity;
    const texts = { name: trimmed(input.name), address: trimmed(input.address), city: trimmed(input.city) };
    checkVenueText(texts);
    return {
      ...texts,
      capacity,
      seatMap: input.seatMap ? buildSeatMap(input.seatMap, capacity, 'venue.seatMap') : null,
    };
  }

  private ticketTypeDraft(input: Partial<TicketTypeInput>, base?: TicketTypeDoc): TicketTypeDraft {
    const pick = <K extends keyof TicketTypeInput>(
      key: K,
      fallback: TicketTypeDraft[K & keyof TicketTypeDraft],
    ) => (input[key] ?? fallback) as TicketTypeDraft[K & keyof TicketTypeDraft];
    const kind = pick('kind', base?.kind ?? 'GENERAL_ADMISSION');
    const pricing = input.pricing
      ? {
          type: input.pricing.type,
          floorMinor: input.pricing.floorMinor ?? null,
          ceilingMinor: input.pricing.ceilingMinor ?? null,
          maxStepPct: input.pricing.maxStepPct ?? null,
          tierBasis: input.pricing.tierBasis ?? null,
          tiers: (input.pricing.tiers ?? []).map((t) => ({
            priceMinor: t.priceMinor,
            until: t.until ?? null,
            upToQuantity: t.upToQuantity ?? null,
          })),
        }
      : (base?.pricing ?? { type: 'FIXED' as const, tiers: [] });
    return {
      name: trimmed(input.name ?? base?.name ?? ''),
      priceMinor: pick('priceMinor', base?.priceMinor ?? 0),
      currency: pick('currency', base?.currency ?? ''),
      kind,
      // A kind change drops what belonged to the old kind unless the input restates it. A null quantity or seat
      // list changes nothing, like every other null of an update (a reserved type's quantity is its seat count).
      quantity:
        input.quantity != null
          ? input.quantity
          : kind === base?.kind && kind === 'GENERAL_ADMISSION'
            ? base.quantity
            : null,
      seatIds: input.seatIds != null ? input.seatIds : kind === base?.kind ? base.seatIds : null,
      perOrderMax: pick('perOrderMax', base?.perOrderMax ?? 10),
      perBuyerMax: pick('perBuyerMax', base?.perBuyerMax ?? 10),
      salesStartAt: input.salesStartAt !== undefined ? input.salesStartAt : (base?.salesStartAt ?? null),
      salesEndAt: input.salesEndAt !== undefined ? input.salesEndAt : (base?.salesEndAt ?? null),
      pricing,
    };
  }

  /** Runs pure rules, turning a RuleViolation into BAD_USER_INPUT on `<prefix>.<field>`. */
  private withRules<T>(prefix: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw this.asGraphQL(error, prefix);
    }
  }

  private asGraphQL(error: unknown, prefix: string): unknown {
    if (error instanceof RuleViolation)
      return badInput(prefix ? `${prefix}.${error.field}` : error.field, error.message);
    if (error instanceof ContractError) {
      // The rules should have caught it; never queue an envelope the contract refuses.
      this.log.warn({ issues: error.issues }, 'event state does not satisfy its contract');
      return badInput(
        prefix || 'id',
        `The event cannot be saved: ${error.issues[0]?.message ?? 'invalid state'}`,
      );
    }
    return error;
  }

  private async write(id: string, actor: Actor, options: WriteOptions): Promise<EventView> {
    const { field = 'id', what = 'Event' } = options.subject ?? {};
    for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt += 1) {
      const current = await this.events
        .findById(id)
        .select('-outbox -outboxPending -outboxLeaseUntil')
        .lean<EventDoc>()
        .exec();
      if (!current) throw notFound(what, field);
      if (actor !== 'system' && !canManage(actor, current)) throw refusal(current, what, field);
      const now = new Date();
      const { next, envelopes } = this.withRules(options.fieldPrefix, () => {
        const state = options.transition(structuredClone(current), now);
        // Nothing changes (e.g. an update of nulls only): no version, no announcement.
        if (!state || sameState(current, state)) return { next: null, envelopes: [] };
        state.version = current.version + 1;
        state.updatedAt = now;
        return { next: state, envelopes: options.announce?.(current, state, now) ?? [] };
      });
      if (!next) return toEventView(current, true);
      const $set: Record<string, unknown> = {};
      for (const field of STATE_FIELDS) $set[field] = next[field];
      // The version guard and the outbox append are one single-document update: atomic on MongoDB.
      const result = await this.events
        .updateOne(
          { _id: id, version: current.version },
          { $set, ...(envelopes.length > 0 ? appendOutbox(envelopes) : {}) },
        )
        .exec();
      if (result.modifiedCount === 1) {
        if (envelopes.length > 0) this.relay.nudge();
        // Before answering: check-in and ticket act on this change from now on, not once Kafka brings it.
        const announced = eventVersionOf(envelopes);
        if (announced > 0) await this.fence.raise(id, announced);
        await this.cache.invalidate(id);
        return toEventView(next, true);
      }
      this.log.debug({ eventId: id, attempt }, 'event changed meanwhile; recomputing the write');
      await sleep(Math.random() * RETRY_JITTER_MS);
    }
    throw conflict('The event is changing too quickly, try again', field);
  }
}
