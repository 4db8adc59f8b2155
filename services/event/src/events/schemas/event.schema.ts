import { withOutbox, type OutboxFields } from '@ticketing/platform';
import { Schema } from 'mongoose';
import {
  EVENT_CATEGORIES,
  EVENT_STATUSES,
  PRICING_TYPES,
  TICKET_KINDS,
  TIER_BASES,
  type EventDoc,
} from '../domain/event.types';

export const EVENT_MODEL = 'Event';
export const EVENTS_COLLECTION = 'events';

const seatRow = new Schema(
  { name: { type: String, required: true }, seats: { type: [String], default: [] } },
  { _id: false },
);
const seatSection = new Schema(
  { name: { type: String, required: true }, rows: { type: [seatRow], default: [] } },
  { _id: false },
);
const seatMap = new Schema({ sections: { type: [seatSection], default: [] } }, { _id: false });

const venue = new Schema(
  {
    name: { type: String, required: true },
    address: { type: String, required: true },
    city: { type: String, required: true },
    capacity: { type: Number, required: true },
    seatMap: { type: seatMap, default: null },
  },
  { _id: false },
);

const priceTier = new Schema(
  {
    priceMinor: { type: Number, required: true },
    until: { type: Date, default: null },
    upToQuantity: { type: Number, default: null },
  },
  { _id: false },
);

const pricingPolicy = new Schema(
  {
    type: { type: String, enum: PRICING_TYPES, required: true },
    floorMinor: { type: Number, default: null },
    ceilingMinor: { type: Number, default: null },
    maxStepPct: { type: Number, default: null },
    tierBasis: { type: String, enum: [...TIER_BASES, null], default: null },
    tiers: { type: [priceTier], default: [] },
  },
  { _id: false },
);

const ticketType = new Schema(
  {
    id: { type: String, required: true },
    name: { type: String, required: true },
    priceMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    kind: { type: String, enum: TICKET_KINDS, required: true },
    quantity: { type: Number, required: true },
    seatIds: { type: [String], default: [] },
    perOrderMax: { type: Number, required: true },
    perBuyerMax: { type: Number, required: true },
    salesStartAt: { type: Date, default: null },
    salesEndAt: { type: Date, default: null },
    pricing: { type: pricingPolicy, required: true },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { _id: false },
);

const staffMember = new Schema(
  {
    userId: { type: String, default: null },
    email: { type: String, required: true },
    name: { type: String, default: null },
    addedAt: { type: Date, required: true },
  },
  { _id: false },
);

/**
 * One document per event holding its ticket types and staff, so that every invariant spanning them
 * (capacity, seat uniqueness) is checked and written by one single-document update guarded on `version`.
 * `outbox` (added by `withOutbox`) holds envelopes written in that same update, published later by the
 * platform's OutboxRelay.
 */
export type EventRecord = EventDoc & OutboxFields;

export const EventSchema = new Schema<EventRecord>(
  {
    _id: { type: String, required: true },
    organizerId: { type: String, required: true },
    title: { type: String, required: true },
    description: { type: String, default: '' },
    category: { type: String, enum: EVENT_CATEGORIES, required: true },
    venue: { type: venue, required: true },
    startsAt: { type: Date, required: true },
    endsAt: { type: Date, required: true },
    timeZone: { type: String, required: true },
    status: { type: String, enum: EVENT_STATUSES, required: true },
    salesStartAt: { type: Date, default: null },
    salesEndAt: { type: Date, default: null },
    transferPolicy: {
      type: new Schema(
        { allowed: { type: Boolean, required: true }, deadline: { type: Date, default: null } },
        { _id: false },
      ),
      required: true,
    },
    perBuyerMax: { type: Number, default: null },
    doorsOpenAt: { type: Date, default: null },
    allowReentry: { type: Boolean, default: false },
    ticketTypes: { type: [ticketType], default: [] },
    allocated: { type: Number, default: 0 },
    assignedSeats: { type: [String], default: [] },
    staff: { type: [staffMember], default: [] },
    searchTerms: { type: [String], default: [] },
    cityKey: { type: String, required: true },
    endHour: { type: Number, default: null },
    cancelReason: { type: String, default: null },
    publishedAt: { type: Date, default: null },
    cancelledAt: { type: Date, default: null },
    version: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: EVENTS_COLLECTION, versionKey: false, minimize: false },
);

withOutbox(EventSchema);

// Listings: status + start, then the optional equality filters. `searchTerms` is multikey.
EventSchema.index({ status: 1, startsAt: 1, _id: 1 });
EventSchema.index({ status: 1, cityKey: 1, startsAt: 1 });
EventSchema.index({ status: 1, category: 1, startsAt: 1 });
EventSchema.index({ searchTerms: 1 });
EventSchema.index({ organizerId: 1, createdAt: -1 });
EventSchema.index({ 'ticketTypes.id': 1 });
// myStaffEvents: the published events a user staffs, by account or by the email it was added with.
EventSchema.index({ 'staff.userId': 1, status: 1 });
EventSchema.index({ 'staff.email': 1, status: 1 });
// The end-of-event sweeper: events ending in a given hour that are still on sale.
EventSchema.index({ endHour: 1, status: 1 });
