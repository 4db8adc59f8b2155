import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD_STAFF,
  ADD_TICKET_TYPE,
  CANCEL_EVENT,
  CREATE_EVENT,
  EVENT_QUERY,
  EVENTS_QUERY,
  eventInput,
  gaInput,
  PUBLISH_EVENT,
  REMOVE_STAFF,
  startEventApp,
  UPDATE_EVENT,
  UPDATE_TICKET_TYPE,
  type EventTestApp,
  type GqlResult,
  type TestUser,
} from './support/event-app';
import { holdGuardedWrites } from './support/write-barrier';

const ENTITIES = `query($reps: [_Any!]!) { _entities(representations: $reps) {
  ... on Event { id title status ticketTypes { id name } }
  ... on TicketType { id name eventId }
} }`;

describe('only the owning organizer (or an admin) changes an event; drafts stay private', () => {
  let t: EventTestApp;
  let owner: TestUser;
  let rival: TestUser;
  let attendee: TestUser;
  let admin: TestUser;
  let draftId: string;
  let draftTypeId: string;
  let publishedId: string;
  let publishedTypeId: string;

  async function setup(publish: boolean) {
    const created = await t.gql(
      CREATE_EVENT,
      { input: eventInput({ title: publish ? 'Open Air' : 'Secret Draft' }) },
      owner,
    );
    const id = created.data.createEvent.id as string;
    const added = await t.gql(ADD_TICKET_TYPE, { eventId: id, input: gaInput() }, owner);
    await t.gql(ADD_STAFF, { eventId: id, email: 'door@example.com' }, owner);
    if (publish) expect((await t.gql(PUBLISH_EVENT, { id }, owner)).errors).toBeUndefined();
    return { id, typeId: added.data.addTicketType.ticketTypes[0].id as string };
  }

  beforeAll(async () => {
    t = await startEventApp('event-access');
    owner = await t.user('ORGANIZER');
    rival = await t.user('ORGANIZER');
    attendee = await t.user('ATTENDEE');
    admin = await t.user('ADMIN');
    ({ id: draftId, typeId: draftTypeId } = await setup(false));
    ({ id: publishedId, typeId: publishedTypeId } = await setup(true));
  });

  afterAll(async () => {
    await t?.close();
  });

  const writes = (eventId: string, typeId: string): Array<[string, string, Record<string, unknown>]> => [
    ['updateEvent', UPDATE_EVENT, { id: eventId, input: { title: 'Hijacked' } }],
    ['publishEvent', PUBLISH_EVENT, { id: eventId }],
    ['cancelEvent', CANCEL_EVENT, { id: eventId, reason: 'Because I can' }],
    [
      'addTicketType',
      ADD_TICKET_TYPE,
      { eventId, input: gaInput({ name: 'Free for me', priceMinor: 0, quantity: 1 }) },
    ],
    ['updateTicketType', UPDATE_TICKET_TYPE, { id: typeId, input: { priceMinor: 1 } }],
    ['addEventStaff', ADD_STAFF, { eventId, email: 'mole@example.com' }],
    ['removeEventStaff', REMOVE_STAFF, { eventId, email: 'door@example.com' }],
  ];

  it('refuses every write from another organizer and from an attendee, changing nothing', async () => {
    for (const [eventId, typeId, expected] of [
      [draftId, draftTypeId, 'NOT_FOUND'],
      [publishedId, publishedTypeId, 'FORBIDDEN'],
    ] as const) {
      const before = await t.stored(eventId);
      for (const caller of [rival, attendee]) {
        for (const [name, doc, variables] of writes(eventId, typeId)) {
          const res = await t.gql(doc, variables, caller);
          expect(res.errors?.[0]?.extensions?.code, `${name} by ${caller.role} on ${expected}`).toBe(
            expected,
          );
          expect(res.data?.[name] ?? null).toBeNull();
        }
      }
      for (const [name, doc, variables] of writes(eventId, typeId)) {
        const res = await t.gql(doc, variables);
        expect(res.errors?.[0]?.extensions?.code, `${name} anonymous`).toBe('UNAUTHENTICATED');
      }
      const after = await t.stored(eventId);
      expect(after).toEqual(before);
    }
  });

  it('refuses createEvent to attendees', async () => {
    const count = await t.events.countDocuments().exec();
    const res = await t.gql(CREATE_EVENT, { input: eventInput() }, attendee);
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await t.events.countDocuments().exec()).toBe(count);
  });

  it('hides a draft from everyone but its organizer and admins, also through federated references', async () => {
    for (const caller of [rival, attendee, undefined]) {
      expect((await t.gql(EVENT_QUERY, { id: draftId }, caller)).data.event).toBeNull();
      const refs = await t.gql(
        ENTITIES,
        {
          reps: [
            { __typename: 'Event', id: draftId },
            { __typename: 'TicketType', id: draftTypeId },
          ],
        },
        caller,
      );
      expect(refs.errors).toBeUndefined();
      expect(refs.data._entities).toEqual([null, null]);
    }
    for (const caller of [owner, admin]) {
      expect((await t.gql(EVENT_QUERY, { id: draftId }, caller)).data.event.title).toBe('Secret Draft');
      const refs = await t.gql(
        ENTITIES,
        {
          reps: [
            { __typename: 'Event', id: draftId },
            { __typename: 'TicketType', id: draftTypeId },
          ],
        },
        caller,
      );
      expect(refs.data._entities).toEqual([
        {
          id: draftId,
          title: 'Secret Draft',
          status: 'DRAFT',
          ticketTypes: [{ id: draftTypeId, name: 'Standing' }],
        },
        { id: draftTypeId, name: 'Standing', eventId: draftId },
      ]);
    }
    // A published event resolves for anyone.
    const pub = await t.gql(ENTITIES, {
      reps: [
        { __typename: 'Event', id: publishedId },
        { __typename: 'TicketType', id: publishedTypeId },
      ],
    });
    expect(pub.data._entities.map((e: any) => e?.id)).toEqual([publishedId, publishedTypeId]);
    const listing = await t.gql(EVENTS_QUERY, { first: 50 }, rival);
    expect(listing.data.events.edges.map((e: any) => e.node.id)).toEqual([publishedId]);
  });

  it('keeps a cancelled draft private: it was never public, so cancelling it publishes nothing', async () => {
    const { id, typeId } = await setup(false);
    const cancelled = await t.gql(CANCEL_EVENT, { id, reason: 'Plans changed' }, owner);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelEvent).toMatchObject({ status: 'CANCELLED', publishedAt: null });
    const refs = {
      reps: [
        { __typename: 'Event', id },
        { __typename: 'TicketType', id: typeId },
      ],
    };
    for (const caller of [rival, attendee, undefined]) {
      const read = await t.gql(EVENT_QUERY, { id }, caller);
      expect(read.errors).toBeUndefined();
      expect(read.data.event, `event(id) for ${caller?.role ?? 'anonymous'}`).toBeNull();
      expect((await t.gql(ENTITIES, refs, caller)).data._entities).toEqual([null, null]);
      const search = await t.gql(EVENTS_QUERY, { first: 50, filter: { text: 'secret draft' } }, caller);
      expect(search.data.events.edges).toEqual([]);
    }
    // Another organizer learns nothing from a write either: NOT_FOUND, as for a draft.
    const before = await t.stored(id);
    for (const [name, doc, variables] of writes(id, typeId)) {
      const res = await t.gql(doc, variables, rival);
      expect(res.errors?.[0]?.extensions?.code, name).toBe('NOT_FOUND');
    }
    expect(await t.stored(id)).toEqual(before);
    for (const caller of [owner, admin]) {
      const read = await t.gql(EVENT_QUERY, { id }, caller);
      expect(read.data.event).toMatchObject({ id, status: 'CANCELLED', cancelReason: 'Plans changed' });
      expect((await t.gql(ENTITIES, refs, caller)).data._entities.map((e: any) => e?.id)).toEqual([
        id,
        typeId,
      ]);
    }
    expect((await t.gql(`{ myEvents { id status } }`, {}, owner)).data.myEvents).toContainEqual({
      id,
      status: 'CANCELLED',
    });
  });

  it('shows the staff list to the organizer and admins only', async () => {
    const q = `query($id: ID!) { event(id: $id) { id staff { email } } }`;
    expect((await t.gql(q, { id: publishedId }, owner)).data.event.staff).toEqual([
      { email: 'door@example.com' },
    ]);
    expect((await t.gql(q, { id: publishedId }, admin)).data.event.staff).toEqual([
      { email: 'door@example.com' },
    ]);
    expect((await t.gql(q, { id: publishedId }, rival)).data.event.staff).toBeNull();
    expect((await t.gql(q, { id: publishedId })).data.event.staff).toBeNull();
  });

  it("shows a ticket type's pricing policy (a demand floor is the organizer's business) to the organizer and admins only", async () => {
    const q = `query($id: ID!) { event(id: $id) { ticketTypes { id pricing { type tiers { priceMinor } } } } }`;
    const ENTITY = `query($reps: [_Any!]!) { _entities(representations: $reps) { ... on TicketType { id pricing { type } } } }`;
    for (const who of [owner, admin]) {
      expect((await t.gql(q, { id: publishedId }, who)).data.event.ticketTypes[0].pricing).toMatchObject({
        type: expect.any(String),
      });
    }
    for (const who of [rival, attendee, undefined]) {
      const answer = await t.gql(q, { id: publishedId }, who);
      expect(answer.errors).toBeUndefined();
      expect(answer.data.event.ticketTypes[0].pricing).toBeNull();
      const entity = await t.gql(ENTITY, { reps: [{ __typename: 'TicketType', id: publishedTypeId }] }, who);
      expect(entity.data._entities[0]).toMatchObject({ id: publishedTypeId, pricing: null });
    }
  });

  it('lists the published events a user staffs (myStaffEvents), by account email, and nothing else', async () => {
    const q = `{ myStaffEvents { id status } }`;
    const door = await t.user('STAFF', 'Door@Example.com');
    const staffed = await t.gql(q, {}, door);
    expect(staffed.errors).toBeUndefined();
    // The draft staffed by the same email is not listed; only the published one.
    expect(staffed.data.myStaffEvents).toEqual([{ id: publishedId, status: 'PUBLISHED' }]);
    // The organizer is not staff of its own events (those are in myEvents); strangers staff nothing.
    for (const who of [owner, rival, attendee]) {
      expect((await t.gql(q, {}, who)).data.myStaffEvents).toEqual([]);
    }
    expect((await t.gql(q, {})).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('lets an admin change any event', async () => {
    const res = await t.gql(
      UPDATE_EVENT,
      { id: publishedId, input: { title: 'Open Air (moved indoors)' } },
      admin,
    );
    expect(res.errors).toBeUndefined();
    expect((await t.stored(publishedId))!.title).toBe('Open Air (moved indoors)');
  });

  it('keeps capacity under concurrent ticket type additions (guarded single-document writes)', async () => {
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Crowded' }) }, owner);
    const id = created.data.createEvent.id;
    // All 8 writers read version 1 (nothing allocated) before any of them can write.
    const barrier = holdGuardedWrites(t.events, 8);
    let attempts: GqlResult[];
    try {
      attempts = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          t.gql(
            ADD_TICKET_TYPE,
            { eventId: id, input: gaInput({ name: `Batch ${i}`, quantity: 30 }) },
            owner,
          ),
        ),
      );
    } finally {
      barrier.restore();
    }
    expect(barrier.filled).toBe(true);
    const ok = attempts.filter((r) => !r.errors).length;
    const refused = attempts.filter((r) => r.errors?.[0]?.extensions?.code === 'BAD_USER_INPUT');
    expect(ok).toBe(3);
    expect(refused).toHaveLength(5);
    expect(refused.every((r) => r.errors![0]!.extensions!.field === 'input.quantity')).toBe(true);
    const stored = await t.stored(id);
    expect(stored!.ticketTypes).toHaveLength(3);
    expect(stored!.allocated).toBe(90);
    expect(stored!.version).toBe(4);
    // The race happened: 7 of the first 8 guarded updates missed and were recomputed.
    expect(barrier.misses).toBeGreaterThanOrEqual(7);
    expect(barrier.landed).toBe(3);
  });

  it('keeps every seat in one ticket type under concurrent additions', async () => {
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Seated' }) }, owner);
    const id = created.data.createEvent.id;
    // All 6 writers see seat A-1-1 free before any of them can write.
    const barrier = holdGuardedWrites(t.events, 6);
    let attempts: GqlResult[];
    try {
      attempts = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          t.gql(
            ADD_TICKET_TYPE,
            {
              eventId: id,
              input: {
                ...gaInput({ name: `Seats ${i}` }),
                kind: 'RESERVED',
                quantity: null,
                seatIds: ['A-1-1', `A-1-${i + 2}`],
              },
            },
            owner,
          ),
        ),
      );
    } finally {
      barrier.restore();
    }
    expect(barrier.filled).toBe(true);
    expect(attempts.filter((r) => !r.errors)).toHaveLength(1);
    const refused = attempts.filter((r) => r.errors);
    expect(refused.map((r) => r.errors![0]!.extensions)).toEqual(
      Array.from({ length: 5 }, () =>
        expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.seatIds' }),
      ),
    );
    const stored = await t.stored(id);
    expect(stored!.assignedSeats.filter((s) => s === 'A-1-1')).toHaveLength(1);
    expect(stored!.ticketTypes).toHaveLength(1);
    expect(stored!.version).toBe(2);
    // The race happened: 5 of the 6 guarded updates missed, and their recomputation refused the seat.
    expect(barrier.misses).toBe(5);
    expect(barrier.landed).toBe(1);
  });
});
