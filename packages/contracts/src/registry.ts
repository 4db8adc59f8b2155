// The event registry: every event type with its topic, version and data schema, plus the typed way to
// build an envelope (`newEnvelope`) and the checked way to read one (`validateEnvelope`).
import type { z } from 'zod';
import type { EventDefinition } from './define-event';
import { envelopeSchema, newEnvelopeId, newTraceId, type Envelope } from './envelope';
import { ContractError, issuesFrom, type ContractIssue } from './errors';
import { checkinRecordedEvent } from './events/checkin-recorded.event';
import { eventCancelledEvent } from './events/event-cancelled.event';
import { eventPublishedEvent } from './events/event-published.event';
import { eventStaffChangedEvent } from './events/event-staff-changed.event';
import { eventUpdatedEvent } from './events/event-updated.event';
import { eventViewedEvent } from './events/event-viewed.event';
import { orderConfirmedEvent } from './events/order-confirmed.event';
import { priceChangedEvent } from './events/price-changed.event';
import { reservationCreatedEvent } from './events/reservation-created.event';
import { reservationExpiredEvent } from './events/reservation-expired.event';
import { reservationReleasedEvent } from './events/reservation-released.event';
import { ticketIssuedEvent } from './events/ticket-issued.event';
import { ticketRevokedEvent } from './events/ticket-revoked.event';
import { ticketTransferOfferedEvent } from './events/ticket-transfer-offered.event';
import { ticketTransferWithdrawnEvent } from './events/ticket-transfer-withdrawn.event';
import { ticketTransferredEvent } from './events/ticket-transferred.event';
import { ticketTypeUpsertedEvent } from './events/ticket-type-upserted.event';
import { userRegisteredEvent } from './events/user-registered.event';
import type { Topic } from './topics';

export const EVENT_TYPES = {
  'user.registered': userRegisteredEvent,
  'event.published': eventPublishedEvent,
  'event.updated': eventUpdatedEvent,
  'event.cancelled': eventCancelledEvent,
  'ticket-type.upserted': ticketTypeUpsertedEvent,
  'event.staff-changed': eventStaffChangedEvent,
  'event.viewed': eventViewedEvent,
  'reservation.created': reservationCreatedEvent,
  'reservation.expired': reservationExpiredEvent,
  'reservation.released': reservationReleasedEvent,
  'order.confirmed': orderConfirmedEvent,
  'ticket.issued': ticketIssuedEvent,
  'ticket.transfer-offered': ticketTransferOfferedEvent,
  'ticket.transfer-withdrawn': ticketTransferWithdrawnEvent,
  'ticket.transferred': ticketTransferredEvent,
  'ticket.revoked': ticketRevokedEvent,
  'price.changed': priceChangedEvent,
  'checkin.recorded': checkinRecordedEvent,
} as const;

export type EventType = keyof typeof EVENT_TYPES;
export type EventSchema<T extends EventType> = (typeof EVENT_TYPES)[T]['schema'];
/** The `data` of an event type, for example `EventData<'ticket.issued'>`. */
export type EventData<T extends EventType> = z.output<EventSchema<T>>;
/** An envelope of one event type; `EventEnvelope` alone is the union over all types (narrow it on `type`). */
export type EventEnvelope<T extends EventType = EventType> = T extends EventType
  ? Omit<Envelope<EventData<T>>, 'type'> & { type: T }
  : never;

export const EVENT_TYPE_LIST = Object.keys(EVENT_TYPES) as EventType[];

type AnyDefinition = EventDefinition<string, z.ZodType>;
const definitions = EVENT_TYPES as unknown as Record<string, AnyDefinition>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_TYPES, type);
}

export function topicFor(type: EventType): Topic {
  return EVENT_TYPES[type].topic;
}

/** The event types published on a topic (what a consumer of that topic must be ready for). */
export function eventTypesOnTopic(topic: string): EventType[] {
  return EVENT_TYPE_LIST.filter((type) => EVENT_TYPES[type].topic === topic);
}

function checkEnvelope(raw: unknown): { envelope?: EventEnvelope; issues: ContractIssue[]; type?: string } {
  const parsed = envelopeSchema.safeParse(raw);
  const issues = parsed.success ? [] : issuesFrom(parsed.error.issues);
  const fields = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<
    Record<keyof Envelope, unknown>
  >;
  const type = typeof fields.type === 'string' ? fields.type : undefined;
  if (type === undefined || !isEventType(type)) {
    if (parsed.success) issues.push({ path: 'type', message: `Unknown event type "${type}"` });
    return { issues, type };
  }
  // The type is known: check version, data and key too, so the error names every bad path at once.
  const def = definitions[type];
  if (typeof fields.version === 'number' && fields.version !== def.version) {
    issues.push({
      path: 'version',
      message: `Unsupported version ${fields.version} of ${type} (this contract knows ${def.version})`,
    });
  }
  const data = def.schema.safeParse(fields.data);
  if (!data.success) {
    issues.push(...issuesFrom(data.error.issues, 'data'));
  } else {
    const expectedKey = def.key(data.data);
    if (typeof fields.key === 'string' && fields.key !== expectedKey) {
      issues.push({ path: 'key', message: `Partition key must be ${expectedKey} for ${type}` });
    }
  }
  if (!parsed.success || !data.success || issues.length > 0) return { issues, type };
  return { envelope: { ...parsed.data, data: data.data } as EventEnvelope, issues, type };
}

/**
 * Checks an envelope and its `data` against the contract for its `type` and returns a typed copy
 * (unknown fields dropped, so consumers tolerate additive changes). Throws `ContractError` naming every bad path.
 */
export function validateEnvelope(raw: unknown): EventEnvelope {
  const result = checkEnvelope(raw);
  if (!result.envelope) throw new ContractError(result.issues, result.type);
  return result.envelope;
}

export type SafeValidation =
  { success: true; data: EventEnvelope } | { success: false; error: ContractError };

export function safeValidateEnvelope(raw: unknown): SafeValidation {
  const result = checkEnvelope(raw);
  return result.envelope
    ? { success: true, data: result.envelope }
    : { success: false, error: new ContractError(result.issues, result.type) };
}

/** Checks only the `data` of a known event type. Throws `ContractError` (paths start with `data.`). */
export function validateEventData<T extends EventType>(type: T, data: unknown): EventData<T> {
  const parsed = definitions[type].schema.safeParse(data);
  if (!parsed.success) throw new ContractError(issuesFrom(parsed.error.issues, 'data'), type);
  return parsed.data as EventData<T>;
}

export interface NewEnvelopeOptions {
  /** The producing service's name. */
  source: string;
  /** Defaults to a fresh trace id; pass the current request's to keep one trace across services. */
  traceId?: string;
  /** Defaults to now. */
  occurredAt?: Date | string;
  /** Defaults to a fresh UUID v4. */
  id?: string;
}

/**
 * Builds a checked envelope. `data` is type-checked against the schema of `type` at compile time and
 * validated at run time (with `key`, which must be the partition key the event derives from its data),
 * so a bad event fails where it is produced instead of in a consumer's dead-letter topic.
 */
export function newEnvelope<T extends EventType>(
  type: T,
  key: string,
  data: NoInfer<EventData<T>>,
  options: NewEnvelopeOptions,
): EventEnvelope<T> {
  const occurredAt = options.occurredAt ?? new Date();
  return validateEnvelope({
    id: options.id ?? newEnvelopeId(),
    type,
    version: EVENT_TYPES[type].version,
    occurredAt: occurredAt instanceof Date ? occurredAt.toISOString() : occurredAt,
    source: options.source,
    key,
    traceId: options.traceId ?? newTraceId(),
    data,
  }) as EventEnvelope<T>;
}
