import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { badInput, hasVisibleText, InjectConfig, normaliseEmail, type AuthUser } from '@ticketing/platform';
import type { Model, QueryFilter } from 'mongoose';
import type { EventConfig } from '../config';
import { decodeCursor, encodeCursor } from './domain/cursor';
import type { EventCategory, EventDoc } from './domain/event.types';
import { RuleViolation } from './domain/rule-violation';
import { cityKey, hasCityKey, queryTerms } from './domain/search-terms';
import type { EventsFilterInput } from './dto/events-filter.input';
import { canManage, isPublic } from './event-access';
import { EventCacheService } from './event-cache.service';
import { toEventView, type EventView, type TicketTypeView } from './event-view';
import { EVENT_MODEL, type EventRecord } from './schemas/event.schema';

export interface EventPage {
  edges: Array<{ cursor: string; node: EventView }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Fields never read back for rendering. */
const HIDDEN = '-outbox -outboxPending -outboxLeaseUntil -searchTerms -assignedSeats -staff';
const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

/** The normalised listing request: also the cache key, so equivalent requests share one entry. */
interface ListingQuery {
  terms: string[];
  city: string | null;
  category: EventCategory | null;
  from: number | null;
  to: number | null;
  first: number;
  after: { startsAt: number; id: string } | null;
}

/**
 * Public reads. Listings and details come from the Redis cache (EventCacheService) and only ever
 * contain public events (isPublic); a private one is visible to its organizer and admins, read from Mongo.
 */
@Injectable()
export class EventsQueryService {
  constructor(
    @InjectModel(EVENT_MODEL) private readonly events: Model<EventRecord>,
    private readonly cache: EventCacheService,
    @InjectConfig() private readonly config: EventConfig,
  ) {}

  /** Published, not yet ended events ordered by (startsAt, id); `after` is an opaque cursor. */
  async list(
    filter: EventsFilterInput | undefined,
    first: number,
    after: string | undefined,
  ): Promise<EventPage> {
    if (!Number.isInteger(first) || first < 1 || first > this.config.EVENT_LIST_MAX_PAGE) {
      throw badInput('first', `first must be between 1 and ${this.config.EVENT_LIST_MAX_PAGE}`);
    }
    if (filter?.from && filter?.to && filter.to.getTime() <= filter.from.getTime()) {
      throw badInput('filter.to', '`to` must be after `from`');
    }
    const text = this.textFilter(filter?.text);
    const city = this.cityFilter(filter?.city);
    const position = after ? this.cursor(after) : null;
    const query: ListingQuery = {
      terms: text ? queryTerms(text) : [],
      city,
      category: filter?.category ?? null,
      from: filter?.from ? filter.from.getTime() : null,
      to: filter?.to ? filter.to.getTime() : null,
      first,
      after: position ? { startsAt: position.startsAt.getTime(), id: position.id } : null,
    };
    return this.cache.listing(query, () => this.loadPage(query));
  }

  /**
   * An event as `user` may see it: public events for everyone, private ones (drafts, and drafts cancelled
   * before they were ever published) for their organizer and admins only.
   */
  async findVisible(id: string, user: AuthUser | null | undefined): Promise<EventView | null> {
    if (!ID_PATTERN.test(id)) return null;
    const cached = await this.cache.detail<EventView>(id, () => this.loadPublic(id));
    if (cached) return cached;
    if (!user) return null;
    const doc = await this.events
      .findOne({ _id: id, status: { $in: ['DRAFT', 'CANCELLED'] } })
      .select(HIDDEN)
      .lean<EventDoc>()
      .exec();
    return doc && !isPublic(doc) && canManage(user, doc) ? toEventView(doc) : null;
  }

  async findTicketType(id: string, user: AuthUser | null | undefined): Promise<TicketTypeView | null> {
    if (!ID_PATTERN.test(id)) return null;
    const owner = await this.events
      .findOne({ 'ticketTypes.id': id }, { _id: 1 })
      .lean<{ _id: string }>()
      .exec();
    if (!owner) return null;
    const event = await this.findVisible(owner._id, user);
    return event?.ticketTypes.find((t) => t.id === id) ?? null;
  }

  /** The caller's own events (drafts included), newest first. */
  async mine(user: AuthUser, limit = 100): Promise<EventView[]> {
    const docs = await this.events
      .find({ organizerId: user.id })
      .select(HIDDEN)
      .sort({ createdAt: -1 })
      .limit(limit)
      .lean<EventDoc[]>()
      .exec();
    return docs.map((doc) => toEventView(doc));
  }

  /**
   * Published events `user` is on the staff of (by account, or by the email they were added with before
   * the account was bound), by start time. Organizers find their own events in `mine`.
   */
  async staffedBy(user: AuthUser, limit = 100): Promise<EventView[]> {
    const who: QueryFilter<EventRecord>[] = [{ 'staff.userId': user.id, status: 'PUBLISHED' }];
    if (user.email) who.push({ 'staff.email': normaliseEmail(user.email), status: 'PUBLISHED' });
    const docs = await this.events
      .find({ $or: who })
      .select(HIDDEN)
      .sort({ startsAt: 1, _id: 1 })
      .limit(limit)
      .lean<EventDoc[]>()
      .exec();
    return docs.map((doc) => toEventView(doc));
  }

  /** The staff list, for the organizer and admins only (null for anyone else). */
  async staffOf(eventId: string, user: AuthUser | null | undefined) {
    if (!user) return null;
    const doc = await this.events
      .findById(eventId)
      .select({ organizerId: 1, staff: 1 })
      .lean<Pick<EventDoc, 'organizerId' | 'staff'>>()
      .exec();
    if (!doc || !canManage(user, doc)) return null;
    return doc.staff;
  }

  /**
   * The search text, or null for none: an empty text, or one of white space only, is no text (a cleared search
   * box). A text that shows nothing else (combining marks, fillers, braille blanks) would match every event, so
   * it is refused rather than answered with the unfiltered list.
   */
  private textFilter(text: string | undefined): string | null {
    if (!text || text.trim().length === 0) return null;
    if (!hasVisibleText(text))
      throw badInput('filter.text', 'The search text must contain a visible character');
    return text;
  }

  /**
   * The city key to filter by. The city is required to be non-empty (`""` is refused by the input), so white
   * space or invisible characters only are refused too, and so is a city with no letter or digit in its key
   * (`´`): no stored city can have that key, and an empty key would silently match every event.
   */
  private cityFilter(city: string | undefined): string | null {
    if (city === undefined || city === null) return null;
    if (!hasVisibleText(city)) throw badInput('filter.city', 'The city must contain a visible character');
    if (!hasCityKey(city)) throw badInput('filter.city', 'The city must contain a letter or a digit');
    return cityKey(city);
  }

  private cursor(after: string) {
    try {
      return decodeCursor(after, 'after');
    } catch (error) {
      if (error instanceof RuleViolation) throw badInput(error.field, error.message);
      throw error;
    }
  }

  private async loadPublic(id: string): Promise<EventView | null> {
    const doc = await this.events
      .findOne({ _id: id, status: { $ne: 'DRAFT' } })
      .select(HIDDEN)
      .lean<EventDoc>()
      .exec();
    return doc && isPublic(doc) ? toEventView(doc) : null;
  }

  private async loadPage(q: ListingQuery): Promise<EventPage> {
    const and: Array<QueryFilter<EventRecord>> = [{ status: 'PUBLISHED' }];
    // Without an explicit lower bound the listing shows what is still to come or under way.
    if (q.from === null) and.push({ endsAt: { $gt: new Date() } });
    if (q.from !== null || q.to !== null) {
      and.push({
        startsAt: {
          ...(q.from !== null ? { $gte: new Date(q.from) } : {}),
          ...(q.to !== null ? { $lt: new Date(q.to) } : {}),
        },
      });
    }
    if (q.city) and.push({ cityKey: q.city });
    if (q.category) and.push({ category: q.category });
    if (q.terms.length > 0) and.push({ searchTerms: { $all: q.terms } });
    if (q.after) {
      const at = new Date(q.after.startsAt);
      and.push({ $or: [{ startsAt: { $gt: at } }, { startsAt: at, _id: { $gt: q.after.id } }] });
    }
    const docs = await this.events
      .find(and.length === 1 ? and[0]! : { $and: and })
      .select(HIDDEN)
      .sort({ startsAt: 1, _id: 1 })
      .limit(q.first + 1)
      .lean<EventDoc[]>()
      .exec();
    const page = docs.slice(0, q.first);
    const edges = page.map((doc) => ({
      cursor: encodeCursor({ startsAt: doc.startsAt, id: doc._id }),
      node: toEventView(doc),
    }));
    return {
      edges,
      pageInfo: { hasNextPage: docs.length > q.first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }
}
