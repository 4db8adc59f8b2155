import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD_STAFF,
  ADD_TICKET_TYPE,
  CANCEL_EVENT,
  CREATE_EVENT,
  EVENTS_QUERY,
  eventInput,
  gaInput,
  PUBLISH_EVENT,
  reservedInput,
  startEventApp,
  UPDATE_EVENT,
  UPDATE_TICKET_TYPE,
  type EventTestApp,
  type GqlResult,
  type TestUser,
} from './support/event-app';

const HOUR = 3600 * 1000;

function refusedOn(res: GqlResult, field: string) {
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({
    code: 'BAD_USER_INPUT',
    field,
  });
}

describe('bad input is refused with BAD_USER_INPUT naming the field, and nothing is written', () => {
  let t: EventTestApp;
  let organizer: TestUser;
  let eventId: string;
  let typeId: string;

  beforeAll(async () => {
    t = await startEventApp('event-validation');
    organizer = await t.user('ORGANIZER');
    const created = await t.gql(CREATE_EVENT, { input: eventInput() }, organizer);
    eventId = created.data.createEvent.id;
    const added = await t.gql(
      ADD_TICKET_TYPE,
      { eventId, input: reservedInput(['A-1-1', 'A-1-2', 'A-1-3']) },
      organizer,
    );
    typeId = added.data.addTicketType.ticketTypes[0].id;
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Runs `attempt` and checks the event document is exactly as before. */
  async function unchanged(attempt: () => Promise<void>) {
    const before = await t.stored(eventId);
    const count = await t.events.countDocuments().exec();
    await attempt();
    expect(await t.stored(eventId)).toEqual(before);
    expect(await t.events.countDocuments().exec()).toBe(count);
  }

  it('end before start', async () => {
    await unchanged(async () => {
      const input = eventInput();
      refusedOn(
        await t.gql(
          CREATE_EVENT,
          { input: { ...input, endsAt: new Date(Date.parse(input.startsAt) - HOUR).toISOString() } },
          organizer,
        ),
        'input.endsAt',
      );
      refusedOn(
        await t.gql(
          UPDATE_EVENT,
          {
            id: eventId,
            input: { endsAt: new Date(Date.parse(input.startsAt) - 40 * 24 * HOUR).toISOString() },
          },
          organizer,
        ),
        'input.endsAt',
      );
    });
  });

  it('an unknown time zone', async () => {
    await unchanged(async () => {
      refusedOn(
        await t.gql(CREATE_EVENT, { input: eventInput({ timeZone: 'Europe/Atlantis' }) }, organizer),
        'input.timeZone',
      );
    });
  });

  it('a negative price', async () => {
    await unchanged(async () => {
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: gaInput({ priceMinor: -100 }) }, organizer),
        'input.priceMinor',
      );
      refusedOn(
        await t.gql(UPDATE_TICKET_TYPE, { id: typeId, input: { priceMinor: -1 } }, organizer),
        'input.priceMinor',
      );
    });
  });

  it('a zero quantity', async () => {
    await unchanged(async () => {
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: gaInput({ quantity: 0 }) }, organizer),
        'input.quantity',
      );
    });
  });

  it('quantities over the venue capacity', async () => {
    await unchanged(async () => {
      // 3 seats already allocated of 100.
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: gaInput({ quantity: 98 }) }, organizer),
        'input.quantity',
      );
      refusedOn(
        await t.gql(
          UPDATE_EVENT,
          { id: eventId, input: { venue: { ...eventInput().venue, capacity: 2, seatMap: null } } },
          organizer,
        ),
        'input.venue.capacity',
      );
      // Dropping the seat map would orphan the seats a ticket type sells.
      refusedOn(
        await t.gql(
          UPDATE_EVENT,
          { id: eventId, input: { venue: { ...eventInput().venue, seatMap: null } } },
          organizer,
        ),
        'input.venue.seatMap',
      );
    });
  });

  it('a seat in two ticket types, or a seat that does not exist', async () => {
    await unchanged(async () => {
      refusedOn(
        await t.gql(
          ADD_TICKET_TYPE,
          { eventId, input: reservedInput(['A-1-3', 'A-1-4'], { name: 'Second' }) },
          organizer,
        ),
        'input.seatIds',
      );
      refusedOn(
        await t.gql(
          ADD_TICKET_TYPE,
          { eventId, input: reservedInput(['Z-9-9'], { name: 'Ghost' }) },
          organizer,
        ),
        'input.seatIds',
      );
    });
  });

  it('an unknown currency', async () => {
    await unchanged(async () => {
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: gaInput({ currency: 'XTS' }) }, organizer),
        'input.currency',
      );
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: gaInput({ currency: 'eur' }) }, organizer),
        'input.currency',
      );
    });
  });

  it('inconsistent pricing policies', async () => {
    await unchanged(async () => {
      const demand = gaInput({ pricing: { type: 'DEMAND', floorMinor: 3000, ceilingMinor: 1000 } });
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: demand }, organizer),
        'input.pricing.ceilingMinor',
      );
      const tiers = gaInput({
        pricing: { type: 'TIERED', tierBasis: 'QUANTITY', tiers: [{ priceMinor: 100, upToQuantity: 500 }] },
      });
      refusedOn(await t.gql(ADD_TICKET_TYPE, { eventId, input: tiers }, organizer), 'input.pricing.tiers');
    });
  });

  it('a publish without a ticket type, or with a past start', async () => {
    const empty = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Empty' }) }, organizer);
    const emptyId = empty.data.createEvent.id;
    const before = await t.stored(emptyId);
    refusedOn(await t.gql(PUBLISH_EVENT, { id: emptyId }, organizer), 'ticketTypes');
    expect(await t.stored(emptyId)).toEqual(before);

    const past = new Date(Date.now() - 2 * HOUR);
    const old = await t.gql(
      CREATE_EVENT,
      {
        input: eventInput({
          title: 'Yesterday',
          startsAt: past.toISOString(),
          endsAt: new Date(past.getTime() + 6 * HOUR).toISOString(),
        }),
      },
      organizer,
    );
    const oldId = old.data.createEvent.id;
    await t.gql(ADD_TICKET_TYPE, { eventId: oldId, input: gaInput() }, organizer);
    const oldBefore = await t.stored(oldId);
    refusedOn(await t.gql(PUBLISH_EVENT, { id: oldId }, organizer), 'startsAt');
    expect(await t.stored(oldId)).toEqual(oldBefore);
    expect(oldBefore!.status).toBe('DRAFT');
  });

  it('a bad email, an empty reason, a forged cursor, an oversized page', async () => {
    await unchanged(async () => {
      refusedOn(await t.gql(ADD_STAFF, { eventId, email: 'not-an-email' }, organizer), 'email');
      refusedOn(await t.gql(CANCEL_EVENT, { id: eventId, reason: '  ' }, organizer), 'reason');
      refusedOn(await t.gql(EVENTS_QUERY, { after: 'bm90LWEtY3Vyc29y' }), 'after');
      refusedOn(await t.gql(EVENTS_QUERY, { first: 1000 }), 'first');
    });
  });

  it('unknown input fields are refused by the schema before any resolver runs', async () => {
    await unchanged(async () => {
      const res = await t.gql(
        ADD_TICKET_TYPE,
        { eventId, input: { ...gaInput(), soldOut: true } },
        organizer,
      );
      // Variable coercion fails with HTTP 400 before any resolver runs, and no data comes back.
      expect(res.status).toBe(400);
      expect(res.data ?? null).toBeNull();
      expect(res.errors).toHaveLength(1);
      expect(res.errors?.[0]?.message).toContain('soldOut');
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.soldOut' });
    });
  });
});
