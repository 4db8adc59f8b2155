import { randomUUID } from 'node:crypto';
import { newEnvelope, TOPICS } from '@ticketing/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserRegisteredConsumer } from '../src/events/user-registered.consumer';
import { EventEndSweeper } from '../src/events/event-end.sweeper';
import {
  ADD_STAFF,
  ADD_TICKET_TYPE,
  CANCEL_EVENT,
  CREATE_EVENT,
  EVENT_QUERY,
  eventInput,
  gaInput,
  PUBLISH_EVENT,
  REMOVE_STAFF,
  reservedInput,
  startEventApp,
  TopicRecorder,
  UPDATE_EVENT,
  UPDATE_TICKET_TYPE,
  type EventTestApp,
  type TestUser,
} from './support/event-app';

describe('an organizer runs an event from draft to cancellation', () => {
  let t: EventTestApp;
  let recorder: TopicRecorder;
  let organizer: TestUser;
  let attendee: TestUser;
  let eventId: string;

  beforeAll(async () => {
    t = await startEventApp('event-lifecycle', { EVENT_VIEW_FLUSH_MS: '300' });
    recorder = new TopicRecorder(t.ctx, [TOPICS.events, TOPICS.eventViews]);
    await recorder.start();
    organizer = await t.user('ORGANIZER');
    attendee = await t.user('ATTENDEE');
  });

  afterAll(async () => {
    await recorder?.stop();
    await t?.close();
  });

  it('creates a draft, adds ticket types and a pending staff member, nothing on Kafka yet', async () => {
    const created = await t.gql(CREATE_EVENT, { input: eventInput() }, organizer);
    expect(created.errors).toBeUndefined();
    eventId = created.data.createEvent.id;
    expect(created.data.createEvent).toMatchObject({
      status: 'DRAFT',
      organizerId: organizer.id,
      version: 1,
    });

    const ga = await t.gql(
      ADD_TICKET_TYPE,
      {
        eventId,
        input: gaInput({ pricing: { type: 'DEMAND', floorMinor: 2000, ceilingMinor: 6000, maxStepPct: 15 } }),
      },
      organizer,
    );
    expect(ga.errors).toBeUndefined();
    const reserved = await t.gql(
      ADD_TICKET_TYPE,
      {
        eventId,
        input: reservedInput(['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4'], {
          pricing: { type: 'TIERED', tierBasis: 'QUANTITY', tiers: [{ priceMinor: 3000, upToQuantity: 2 }] },
        }),
      },
      organizer,
    );
    expect(reserved.errors).toBeUndefined();
    const event = reserved.data.addTicketType;
    expect(event.ticketTypes.map((tt: any) => [tt.kind, tt.quantity])).toEqual([
      ['GENERAL_ADMISSION', 50],
      ['RESERVED', 4],
    ]);

    const staff = await t.gql(ADD_STAFF, { eventId, email: 'Gate.Keeper@Example.com' }, organizer);
    expect(staff.errors).toBeUndefined();
    expect(staff.data.addEventStaff.staff).toEqual([
      { userId: null, email: 'gate.keeper@example.com', name: null },
    ]);

    const stored = await t.stored(eventId);
    expect(stored).toMatchObject({ status: 'DRAFT', allocated: 54, version: 4 });
    expect(stored!.assignedSeats.sort()).toEqual(['A-1-1', 'A-1-2', 'A-1-3', 'A-1-4']);
    // Only staff changes of a draft travel (check-in may store them); nothing describes the draft itself.
    await recorder.waitFor('event.staff-changed', eventId);
    expect(recorder.of('event.published', eventId)).toHaveLength(0);
    expect(recorder.of('ticket-type.upserted', eventId)).toHaveLength(0);
  });

  it('publishes: event.published carries the snapshot with every ticket type', async () => {
    const published = await t.gql(PUBLISH_EVENT, { id: eventId }, organizer);
    expect(published.errors).toBeUndefined();
    expect(published.data.publishEvent.status).toBe('PUBLISHED');

    const [envelope] = await recorder.waitFor('event.published', eventId);
    expect(envelope!.source).toBe('event');
    expect(envelope!.data).toMatchObject({
      eventId,
      organizerId: organizer.id,
      status: 'PUBLISHED',
      aggregateVersion: 5,
      timezone: 'Europe/Paris',
      // Not set: check-in's default doors and no re-entry.
      doorsOpenAt: null,
      allowReentry: false,
    });
    expect(envelope!.data.ticketTypes.map((tt) => tt.kind)).toEqual(['GENERAL_ADMISSION', 'RESERVED']);
    expect(envelope!.data.ticketTypes[0]!.pricingPolicy).toMatchObject({ kind: 'DEMAND', maxStepPct: 15 });
    // Staff added while drafting follows the publication.
    await recorder.waitFor('event.staff-changed', eventId, 2);
  });

  it('updates: event.updated names the changed fields; ticket type changes publish ticket-type.upserted', async () => {
    const updated = await t.gql(
      UPDATE_EVENT,
      { id: eventId, input: { title: 'Jazz on the Quay', description: 'Now outdoors' } },
      organizer,
    );
    expect(updated.errors).toBeUndefined();
    const [change] = await recorder.waitFor('event.updated', eventId);
    expect(change!.data.changedFields).toEqual(['title']);
    expect(change!.data.title).toBe('Jazz on the Quay');

    // Doors and re-entry: validated (doors on or before the start, nothing written otherwise) and carried.
    const version = (await t.stored(eventId))!.version;
    const startsAt = new Date((await t.stored(eventId))!.startsAt);
    const late = await t.gql(
      UPDATE_EVENT,
      { id: eventId, input: { doorsOpenAt: new Date(startsAt.getTime() + 60_000).toISOString() } },
      organizer,
    );
    expect(late.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.doorsOpenAt',
    });
    expect((await t.stored(eventId))!.version).toBe(version);
    const doors = new Date(startsAt.getTime() - 45 * 60_000).toISOString();
    const gates = await t.gql(
      UPDATE_EVENT,
      { id: eventId, input: { doorsOpenAt: doors, allowReentry: true } },
      organizer,
    );
    expect(gates.errors).toBeUndefined();
    expect(gates.data.updateEvent).toMatchObject({ doorsOpenAt: doors, allowReentry: true });
    const [, doorsChange] = await recorder.waitFor('event.updated', eventId, 2);
    expect(doorsChange!.data).toMatchObject({ doorsOpenAt: doors, allowReentry: true });
    expect(doorsChange!.data.changedFields).toEqual(['doorsOpenAt', 'allowReentry']);

    const typeId = updated.data.updateEvent.ticketTypes[0].id;
    // On sale, a quantity only grows: lowering it would free venue capacity its sold and held tickets still
    // take, and another type could then oversell the venue. Nothing is written.
    const before = (await t.stored(eventId))!.version;
    const lowered = await t.gql(UPDATE_TICKET_TYPE, { id: typeId, input: { quantity: 49 } }, organizer);
    expect(lowered.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.quantity',
    });
    expect((await t.stored(eventId))!.version).toBe(before);
    const priced = await t.gql(
      UPDATE_TICKET_TYPE,
      { id: typeId, input: { priceMinor: 2800, quantity: 60 } },
      organizer,
    );
    expect(priced.errors).toBeUndefined();
    expect(priced.data.updateTicketType.ticketTypes[0]).toMatchObject({
      priceMinor: 2800,
      quantity: 60,
      perOrderMax: 6,
    });
    const [upserted] = await recorder.waitFor('ticket-type.upserted', eventId);
    expect(upserted!.data).toMatchObject({
      ticketTypeId: typeId,
      basePrice: { amount: 2800, currency: 'EUR' },
      quantity: 60,
      aggregateVersion: 2,
    });

    const added = await t.gql(
      ADD_TICKET_TYPE,
      { eventId, input: gaInput({ name: 'Balcony', quantity: 10 }) },
      organizer,
    );
    expect(added.errors).toBeUndefined();
    await recorder.waitFor('ticket-type.upserted', eventId, 2);
    expect((await t.stored(eventId))!.allocated).toBe(74);
  });

  it('an update that changes nothing is a no-op: same version, nothing published', async () => {
    const before = await t.stored(eventId);
    const updates = recorder.of('event.updated', eventId).length;
    const upserts = recorder.of('ticket-type.upserted', eventId).length;
    const tt = before!.ticketTypes[0]!;
    for (const [doc, variables] of [
      [UPDATE_EVENT, { id: eventId, input: { title: null } }],
      [UPDATE_EVENT, { id: eventId, input: { title: before!.title, category: null, allowReentry: null } }],
      [UPDATE_TICKET_TYPE, { id: tt.id, input: { priceMinor: tt.priceMinor, name: null } }],
    ] as const) {
      const res = await t.gql(doc, variables, organizer);
      expect(res.errors, JSON.stringify(variables)).toBeUndefined();
      expect(res.data[doc === UPDATE_EVENT ? 'updateEvent' : 'updateTicketType'].version).toBe(
        before!.version,
      );
    }
    expect(await t.stored(eventId)).toEqual(before);
    // A real change afterwards is announced, and it is the only one since.
    expect(
      (await t.gql(UPDATE_TICKET_TYPE, { id: tt.id, input: { perOrderMax: 5 } }, organizer)).errors,
    ).toBeUndefined();
    await recorder.waitFor('ticket-type.upserted', eventId, upserts + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorder.of('ticket-type.upserted', eventId)).toHaveLength(upserts + 1);
    expect(recorder.of('event.updated', eventId)).toHaveLength(updates);
  });

  it('binds pending staff when the account registers (user.registered from auth)', async () => {
    await t.app.get(UserRegisteredConsumer).ready;
    const userId = randomUUID();
    const kafka = new Kafka({
      clientId: 'auth-sim',
      brokers: t.ctx.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const envelope = newEnvelope(
      'user.registered',
      userId,
      {
        userId,
        email: 'gate.keeper@example.com',
        name: 'Gate Keeper',
        role: 'STAFF',
        registeredAt: new Date().toISOString(),
        aggregateVersion: 1,
      },
      { source: 'auth' },
    );
    // Sent twice: the second delivery must change nothing.
    for (let i = 0; i < 2; i += 1) {
      await producer.send({
        topic: t.ctx.topicPrefix + TOPICS.users,
        messages: [{ key: userId, value: JSON.stringify(envelope) }],
      });
    }
    await producer.disconnect();

    const changes = await recorder.waitFor('event.staff-changed', eventId, 3);
    expect(changes.at(-1)!.data.staff).toEqual([{ userId, email: 'gate.keeper@example.com' }]);
    const stored = await t.stored(eventId);
    expect(stored!.staff).toEqual([expect.objectContaining({ userId, name: 'Gate Keeper' })]);

    // A known account is bound at once.
    const known = await t.gql(ADD_STAFF, { eventId, email: 'gate.keeper@example.com' }, organizer);
    expect(known.data.addEventStaff.staff).toHaveLength(1);
    const removed = await t.gql(REMOVE_STAFF, { eventId, email: 'gate.keeper@example.com' }, organizer);
    expect(removed.errors).toBeUndefined();
    expect(removed.data.removeEventStaff.staff).toEqual([]);
    const readded = await t.gql(ADD_STAFF, { eventId, email: 'gate.keeper@example.com' }, organizer);
    expect(readded.data.addEventStaff.staff).toEqual([
      { userId, email: 'gate.keeper@example.com', name: 'Gate Keeper' },
    ]);
    // Mutations return before the relay publishes: wait for the two staff changes, then make sure the
    // duplicate user.registered delivery added none.
    await recorder.waitFor('event.staff-changed', eventId, 5);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(recorder.of('event.staff-changed', eventId).length).toBe(5);
  });

  it('batches views into event.viewed demand signals', async () => {
    for (let i = 0; i < 25; i += 1) {
      const res = await t.gql(EVENT_QUERY, { id: eventId }, i % 2 === 0 ? attendee : undefined);
      expect(res.data.event.id).toBe(eventId);
    }
    const deadline = Date.now() + 10_000;
    let total = 0;
    while (Date.now() < deadline && total < 25) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      total = recorder.of('event.viewed', eventId).reduce((sum, e) => sum + e.data.count, 0);
    }
    expect(total).toBe(25);
    // Far fewer messages than views: one per flush window.
    expect(recorder.of('event.viewed', eventId).length).toBeLessThan(10);
  });

  it('cancels with a reason: event.cancelled, then every write is refused', async () => {
    const cancelled = await t.gql(CANCEL_EVENT, { id: eventId, reason: 'Storm warning' }, organizer);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelEvent).toMatchObject({ status: 'CANCELLED', cancelReason: 'Storm warning' });
    const [envelope] = await recorder.waitFor('event.cancelled', eventId);
    expect(envelope!.data).toMatchObject({ eventId, reason: 'Storm warning', cancelledBy: organizer.id });

    const version = (await t.stored(eventId))!.version;
    const again = await t.gql(UPDATE_EVENT, { id: eventId, input: { title: 'Back on' } }, organizer);
    expect(again.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await t.stored(eventId))!.version).toBe(version);
    // A cancelled event is still readable (tickets holders need to learn why).
    const read = await t.gql(EVENT_QUERY, { id: eventId }, attendee);
    expect(read.data.event.status).toBe('CANCELLED');
  });

  it('marks events whose end has passed as ENDED and announces it', async () => {
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Short gig' }) }, organizer);
    const id = created.data.createEvent.id;
    await t.gql(ADD_TICKET_TYPE, { eventId: id, input: gaInput() }, organizer);
    expect((await t.gql(PUBLISH_EVENT, { id }, organizer)).errors).toBeUndefined();
    const stored = await t.stored(id);
    const future = new Date(stored!.endsAt.getTime() + 60_000);
    const swept = await t.app.get(EventEndSweeper).sweep(future);
    expect(swept).toBeGreaterThanOrEqual(1);
    expect((await t.stored(id))!.status).toBe('ENDED');
    const [ended] = await recorder.waitFor('event.updated', id);
    expect(ended!.data).toMatchObject({ status: 'ENDED', changedFields: ['status'] });
  });

  it('every message this service published satisfies its contract', () => {
    expect(recorder.invalid).toEqual([]);
    const types = new Set(recorder.envelopes.map((e) => e.type));
    expect([...types].sort()).toEqual([
      'event.cancelled',
      'event.published',
      'event.staff-changed',
      'event.updated',
      'event.viewed',
      'ticket-type.upserted',
    ]);
    for (const envelope of recorder.envelopes)
      expect(envelope.key).toBe((envelope.data as { eventId: string }).eventId);
  });
});
