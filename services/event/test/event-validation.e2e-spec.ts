import { randomUUID } from 'node:crypto';
import { MAX_PRICE_MINOR } from '@ticketing/contracts';
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
  REMOVE_STAFF,
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
    const tiered = (count: number) =>
      gaInput({
        name: `Tiered ${count}`,
        quantity: 40,
        pricing: {
          type: 'TIERED',
          tierBasis: 'QUANTITY',
          tiers: Array.from({ length: count }, (_, i) => ({ priceMinor: 1000 + i, upToQuantity: i + 1 })),
        },
      });
    await unchanged(async () => {
      const demand = gaInput({ pricing: { type: 'DEMAND', floorMinor: 3000, ceilingMinor: 1000 } });
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: demand }, organizer),
        'input.pricing.ceilingMinor',
      );
      const tiers = gaInput({
        pricing: { type: 'TIERED', tierBasis: 'QUANTITY', tiers: [{ priceMinor: 100, upToQuantity: 500 }] },
      });
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: tiers }, organizer),
        'input.pricing.tiers.0.upToQuantity',
      );
      // What the pricing service refuses too (setPricingPolicy): no free tier, no zero floor.
      const freeTier = gaInput({
        pricing: { type: 'TIERED', tierBasis: 'QUANTITY', tiers: [{ priceMinor: 0, upToQuantity: 5 }] },
      });
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: freeTier }, organizer),
        'input.pricing.tiers.0.priceMinor',
      );
      const zeroFloor = gaInput({ pricing: { type: 'DEMAND', floorMinor: 0, ceilingMinor: 9000 } });
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: zeroFloor }, organizer),
        'input.pricing.floorMinor',
      );
      // 19 tiers and the base price make the pricing service's 20; a 20th tier is one too many.
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: tiered(20) }, organizer),
        'input.pricing.tiers',
      );
    });
    const accepted = await t.gql(ADD_TICKET_TYPE, { eventId, input: tiered(19) }, organizer);
    expect(accepted.errors).toBeUndefined();
  });

  it('a publish without a ticket type, or with a past start', async () => {
    const empty = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Empty' }) }, organizer);
    const emptyId = empty.data.createEvent.id;
    const before = await t.stored(emptyId);
    refusedOn(await t.gql(PUBLISH_EVENT, { id: emptyId }, organizer), 'ticketTypes');
    expect(await t.stored(emptyId)).toEqual(before);

    // A draft whose start passed while it was being prepared (a past start is refused when it is written).
    const old = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Yesterday' }) }, organizer);
    const oldId = old.data.createEvent.id;
    await t.gql(ADD_TICKET_TYPE, { eventId: oldId, input: gaInput() }, organizer);
    const past = new Date(Date.now() - 2 * HOUR);
    await t.events
      .updateOne({ _id: oldId }, { $set: { startsAt: past, endsAt: new Date(past.getTime() + 6 * HOUR) } })
      .exec();
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

  it('venue fields made of spaces only, on create and on update', async () => {
    const venue = eventInput().venue;
    await unchanged(async () => {
      for (const key of ['name', 'address', 'city'] as const) {
        refusedOn(
          await t.gql(CREATE_EVENT, { input: eventInput({ venue: { ...venue, [key]: '   ' } }) }, organizer),
          `input.venue.${key}`,
        );
        refusedOn(
          await t.gql(UPDATE_EVENT, { id: eventId, input: { venue: { ...venue, [key]: ' ' } } }, organizer),
          `input.venue.${key}`,
        );
      }
      refusedOn(
        await t.gql(
          UPDATE_EVENT,
          { id: eventId, input: { venue: { name: '   ', address: ' ', city: ' ', capacity: 10 } } },
          organizer,
        ),
        'input.venue.name',
      );
    });
  });

  it('a ticket type whose sales would start after the event ends', async () => {
    const late = new Date((await t.stored(eventId))!.endsAt.getTime() + 48 * HOUR).toISOString();
    await unchanged(async () => {
      // The same value on the event itself is refused: the same rule holds for its ticket types.
      refusedOn(
        await t.gql(UPDATE_EVENT, { id: eventId, input: { salesStartAt: late } }, organizer),
        'input.salesStartAt',
      );
      refusedOn(
        await t.gql(
          ADD_TICKET_TYPE,
          { eventId, input: gaInput({ name: 'Late', salesStartAt: late }) },
          organizer,
        ),
        'input.salesStartAt',
      );
      refusedOn(
        await t.gql(UPDATE_TICKET_TYPE, { id: typeId, input: { salesStartAt: late } }, organizer),
        'input.salesStartAt',
      );
    });
  });

  it("a ticket type's window left empty by the event's own sales window names the field that was sent", async () => {
    const start = Date.parse(eventInput().startsAt);
    const at = (hours: number) => new Date(start + hours * HOUR).toISOString();
    const created = await t.gql(
      CREATE_EVENT,
      { input: eventInput({ title: 'Windows', salesEndAt: at(-24) }) },
      organizer,
    );
    const id = created.data.createEvent.id;
    const added = await t.gql(ADD_TICKET_TYPE, { eventId: id, input: gaInput() }, organizer);
    const ttId = added.data.addTicketType.ticketTypes[0].id;
    const early = await t.gql(
      ADD_TICKET_TYPE,
      { eventId: id, input: gaInput({ name: 'Early bird', quantity: 5, salesStartAt: at(-72) }) },
      organizer,
    );
    expect(early.errors).toBeUndefined();
    expect((await t.gql(PUBLISH_EVENT, { id }, organizer)).errors).toBeUndefined();
    const before = await t.stored(id);

    // Its own start after the event's sales close (it has no end of its own).
    const late = await t.gql(UPDATE_TICKET_TYPE, { id: ttId, input: { salesStartAt: at(-12) } }, organizer);
    refusedOn(late, 'input.salesStartAt');
    expect(late.errors![0]!.message).not.toMatch(/cannot be saved/);
    // Its own end before it opens (it has no start of its own: sales opened at publication).
    refusedOn(
      await t.gql(
        UPDATE_TICKET_TYPE,
        { id: ttId, input: { salesEndAt: new Date(Date.now() - HOUR).toISOString() } },
        organizer,
      ),
      'input.salesEndAt',
    );
    // The event's sales closing before a type's own start: the event's field is named.
    refusedOn(
      await t.gql(UPDATE_EVENT, { id, input: { salesEndAt: at(-96) } }, organizer),
      'input.salesEndAt',
    );
    expect(await t.stored(id)).toEqual(before);
  });

  it('time zones that are not canonical IANA names', async () => {
    await unchanged(async () => {
      for (const timeZone of ['+02:00', 'utc', 'EST', 'US/Eastern', 'europe/paris', 'GMT']) {
        refusedOn(
          await t.gql(CREATE_EVENT, { input: eventInput({ timeZone }) }, organizer),
          'input.timeZone',
        );
      }
      refusedOn(
        await t.gql(UPDATE_EVENT, { id: eventId, input: { timeZone: 'utc' } }, organizer),
        'input.timeZone',
      );
    });
    // IANA names, including current ones the runtime lists under their former name (Asia/Calcutta, Europe/Kiev).
    for (const timeZone of [
      'UTC',
      'Etc/UTC',
      'Asia/Kolkata',
      'Europe/Kyiv',
      'America/Argentina/Buenos_Aires',
    ]) {
      const ok = await t.gql(
        CREATE_EVENT,
        { input: eventInput({ title: `Zone ${timeZone}`, timeZone }) },
        organizer,
      );
      expect(ok.errors, timeZone).toBeUndefined();
      expect(ok.data.createEvent.timeZone).toBe(timeZone);
    }
  });

  it("an unknown event, or another organizer's draft, is NOT_FOUND on the argument that carried its id", async () => {
    const rival = await t.user('ORGANIZER');
    await unchanged(async () => {
      for (const id of [randomUUID(), eventId]) {
        const caller = id === eventId ? rival : organizer;
        for (const [doc, variables] of [
          [ADD_TICKET_TYPE, { eventId: id, input: gaInput({ name: 'Ghost' }) }],
          [ADD_STAFF, { eventId: id, email: 'door@example.com' }],
          [REMOVE_STAFF, { eventId: id, email: 'door@example.com' }],
        ] as const) {
          const res = await t.gql(doc, variables, caller);
          expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({
            code: 'NOT_FOUND',
            field: 'eventId',
          });
        }
        const res = await t.gql(UPDATE_EVENT, { id, input: { title: 'Nope' } }, caller);
        expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
      }
    });
  });

  it('publishing an event whose end has passed says it has ENDED', async () => {
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Over' }) }, organizer);
    const id = created.data.createEvent.id;
    await t.gql(ADD_TICKET_TYPE, { eventId: id, input: gaInput() }, organizer);
    expect((await t.gql(PUBLISH_EVENT, { id }, organizer)).errors).toBeUndefined();
    // Its end passed and the sweeper has not stored ENDED yet: it reads as ENDED.
    const past = Date.now() - 2 * HOUR;
    await t.events
      .updateOne({ _id: id }, { $set: { startsAt: new Date(past - 3 * HOUR), endsAt: new Date(past) } })
      .exec();
    const res = await t.gql(PUBLISH_EVENT, { id }, organizer);
    expect(res.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect(res.errors?.[0]?.message).toMatch(/ENDED/);
    expect(res.errors?.[0]?.message).not.toMatch(/PUBLISHED/);
  });

  it('a stored date that no longer fits is blamed on the field that was sent', async () => {
    const input = eventInput({ title: 'Fitting' });
    const start = Date.parse(input.startsAt);
    const at = (hours: number) => new Date(start + hours * HOUR).toISOString();
    const created = await t.gql(
      CREATE_EVENT,
      {
        input: {
          ...input,
          salesEndAt: at(-24),
          doorsOpenAt: at(-1),
          transferPolicy: { allowed: true, deadline: at(3) },
        },
      },
      organizer,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data.createEvent.id;
    const before = await t.stored(id);
    // The stored transfer deadline (start + 3 h) would fall after the new end.
    refusedOn(await t.gql(UPDATE_EVENT, { id, input: { endsAt: at(2) } }, organizer), 'input.endsAt');
    // The stored doors (start - 1 h) would open after the new start.
    refusedOn(await t.gql(UPDATE_EVENT, { id, input: { startsAt: at(-2) } }, organizer), 'input.startsAt');
    // The stored end of sales (start - 24 h) would come before the new start of sales.
    refusedOn(
      await t.gql(UPDATE_EVENT, { id, input: { salesStartAt: at(-12) } }, organizer),
      'input.salesStartAt',
    );
    expect(await t.stored(id)).toEqual(before);
  });

  it('a start or a transfer deadline in the past, on create and on update', async () => {
    const past = Date.now() - HOUR;
    const iso = (ms: number) => new Date(ms).toISOString();
    await unchanged(async () => {
      refusedOn(
        await t.gql(
          CREATE_EVENT,
          { input: eventInput({ startsAt: iso(past), endsAt: iso(past + 6 * HOUR) }) },
          organizer,
        ),
        'input.startsAt',
      );
      refusedOn(
        await t.gql(
          CREATE_EVENT,
          { input: eventInput({ transferPolicy: { allowed: true, deadline: iso(past) } }) },
          organizer,
        ),
        'input.transferPolicy.deadline',
      );
      refusedOn(
        await t.gql(UPDATE_EVENT, { id: eventId, input: { startsAt: iso(past) } }, organizer),
        'input.startsAt',
      );
      refusedOn(
        await t.gql(
          UPDATE_EVENT,
          { id: eventId, input: { transferPolicy: { allowed: true, deadline: iso(past) } } },
          organizer,
        ),
        'input.transferPolicy.deadline',
      );
    });
  });

  it('an end of sales already in the past, on create and on update, for the event and its ticket types', async () => {
    const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
    await unchanged(async () => {
      refusedOn(
        await t.gql(CREATE_EVENT, { input: eventInput({ salesEndAt: ago(1) }) }, organizer),
        'input.salesEndAt',
      );
      // In order after its start, and by the end of the event, but already over.
      refusedOn(
        await t.gql(
          CREATE_EVENT,
          { input: eventInput({ salesStartAt: ago(3), salesEndAt: ago(1) }) },
          organizer,
        ),
        'input.salesEndAt',
      );
      refusedOn(
        await t.gql(UPDATE_EVENT, { id: eventId, input: { salesEndAt: ago(1) } }, organizer),
        'input.salesEndAt',
      );
      refusedOn(
        await t.gql(
          UPDATE_EVENT,
          { id: eventId, input: { salesStartAt: ago(3), salesEndAt: ago(1) } },
          organizer,
        ),
        'input.salesEndAt',
      );
      refusedOn(
        await t.gql(
          ADD_TICKET_TYPE,
          { eventId, input: gaInput({ name: 'Over', salesStartAt: ago(3), salesEndAt: ago(1) }) },
          organizer,
        ),
        'input.salesEndAt',
      );
      refusedOn(
        await t.gql(
          UPDATE_TICKET_TYPE,
          { id: typeId, input: { salesStartAt: ago(3), salesEndAt: ago(1) } },
          organizer,
        ),
        'input.salesEndAt',
      );
    });
  });

  it('a sales window out of order or closing after the event, on the event and its ticket types', async () => {
    const input = eventInput();
    const start = Date.parse(input.startsAt);
    const end = Date.parse(input.endsAt);
    const iso = (ms: number) => new Date(ms).toISOString();
    await unchanged(async () => {
      refusedOn(
        await t.gql(
          CREATE_EVENT,
          { input: { ...input, salesStartAt: iso(start - 24 * HOUR), salesEndAt: iso(start - 48 * HOUR) } },
          organizer,
        ),
        'input.salesEndAt',
      );
      refusedOn(
        await t.gql(CREATE_EVENT, { input: { ...input, salesEndAt: iso(end + HOUR) } }, organizer),
        'input.salesEndAt',
      );
      refusedOn(
        await t.gql(
          ADD_TICKET_TYPE,
          {
            eventId,
            input: gaInput({
              name: 'Backwards',
              salesStartAt: iso(start - 24 * HOUR),
              salesEndAt: iso(start - 48 * HOUR),
            }),
          },
          organizer,
        ),
        'input.salesEndAt',
      );
      const stored = (await t.stored(eventId))!;
      const after = iso(stored.endsAt.getTime() + HOUR);
      refusedOn(
        await t.gql(
          ADD_TICKET_TYPE,
          { eventId, input: gaInput({ name: 'Late', salesEndAt: after }) },
          organizer,
        ),
        'input.salesEndAt',
      );
      refusedOn(
        await t.gql(UPDATE_TICKET_TYPE, { id: typeId, input: { salesEndAt: after } }, organizer),
        'input.salesEndAt',
      );
    });
  });

  it('a stored end of sales that has passed since does not block other edits, nor a form re-sending it', async () => {
    const input = eventInput({ title: 'Closed early' });
    const start = Date.parse(input.startsAt);
    const iso = (ms: number) => new Date(ms).toISOString();
    const created = await t.gql(
      CREATE_EVENT,
      { input: { ...input, salesEndAt: iso(start - 24 * HOUR) } },
      organizer,
    );
    expect(created.errors).toBeUndefined();
    const id = created.data.createEvent.id;
    const added = await t.gql(
      ADD_TICKET_TYPE,
      {
        eventId: id,
        input: gaInput({ salesStartAt: iso(Date.now() - 48 * HOUR), salesEndAt: iso(start - 48 * HOUR) }),
      },
      organizer,
    );
    expect(added.errors).toBeUndefined();
    const ttId = added.data.addTicketType.ticketTypes[0].id;
    // Time passes: both ends of sales are now behind us.
    const eventEnd = new Date(Date.now() - HOUR);
    const typeEnd = new Date(Date.now() - 2 * HOUR);
    const doc = (await t.stored(id))!;
    await t.events
      .updateOne(
        { _id: id },
        {
          $set: {
            salesEndAt: eventEnd,
            ticketTypes: doc.ticketTypes.map((tt) => ({ ...tt, salesEndAt: typeEnd })),
          },
        },
      )
      .exec();
    const ok = async (doc: string, variables: Record<string, unknown>) => {
      const res = await t.gql(doc, variables, organizer);
      expect(res.errors, JSON.stringify(variables)).toBeUndefined();
    };
    await ok(UPDATE_EVENT, { id, input: { title: 'Closed early, renamed' } });
    await ok(UPDATE_EVENT, { id, input: { salesEndAt: eventEnd.toISOString() } });
    await ok(UPDATE_TICKET_TYPE, { id: ttId, input: { priceMinor: 2600 } });
    await ok(UPDATE_TICKET_TYPE, { id: ttId, input: { salesEndAt: typeEnd.toISOString() } });
    const after = (await t.stored(id))!;
    expect(after.salesEndAt).toEqual(eventEnd);
    expect(after.ticketTypes[0]!.salesEndAt).toEqual(typeEnd);
    expect(after.ticketTypes[0]!.priceMinor).toBe(2600);
  });

  it('implausible dates: far ahead, too long or too short, doors a month early, anything before 2000', async () => {
    const DAY = 24 * HOUR;
    const input = eventInput();
    const start = Date.parse(input.startsAt);
    const iso = (ms: number) => new Date(ms).toISOString();
    await unchanged(async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        // More than 5 years ahead.
        [{ startsAt: '9999-12-30T20:00:00Z', endsAt: '9999-12-30T23:00:00Z' }, 'input.startsAt'],
        [
          { startsAt: iso(Date.now() + 5 * 366 * DAY), endsAt: iso(Date.now() + 5 * 366 * DAY + HOUR) },
          'input.startsAt',
        ],
        // 50 years long, a day over a year long, 1 ms long, 59 s long.
        [{ endsAt: iso(start + 50 * 365 * DAY) }, 'input.endsAt'],
        [{ endsAt: iso(start + 367 * DAY) }, 'input.endsAt'],
        [{ endsAt: iso(start + 1) }, 'input.endsAt'],
        [{ endsAt: iso(start + 59_000) }, 'input.endsAt'],
        // Doors 300 days, or 31 days, before the start.
        [{ doorsOpenAt: iso(start - 300 * DAY) }, 'input.doorsOpenAt'],
        [{ doorsOpenAt: iso(start - 31 * DAY) }, 'input.doorsOpenAt'],
        // Year 0001 and 1999: no date of this platform is before 2000.
        [{ salesStartAt: '0001-01-01T00:00:00Z' }, 'input.salesStartAt'],
        [{ salesStartAt: '1999-12-31T23:59:59Z' }, 'input.salesStartAt'],
        [{ doorsOpenAt: '0001-01-01T00:00:00Z' }, 'input.doorsOpenAt'],
        [
          { transferPolicy: { allowed: true, deadline: '0001-01-01T00:00:00Z' } },
          'input.transferPolicy.deadline',
        ],
      ];
      for (const [change, field] of cases) {
        refusedOn(await t.gql(CREATE_EVENT, { input: { ...input, ...change } }, organizer), field);
        refusedOn(await t.gql(UPDATE_EVENT, { id: eventId, input: change }, organizer), field);
      }
      for (const salesStartAt of ['0001-01-01T00:00:00Z', '1999-06-01T00:00:00Z']) {
        refusedOn(
          await t.gql(
            ADD_TICKET_TYPE,
            { eventId, input: gaInput({ name: 'Ancient', salesStartAt }) },
            organizer,
          ),
          'input.salesStartAt',
        );
        refusedOn(
          await t.gql(UPDATE_TICKET_TYPE, { id: typeId, input: { salesStartAt } }, organizer),
          'input.salesStartAt',
        );
      }
      const ancientTier = gaInput({
        name: 'Ancient tier',
        pricing: {
          type: 'TIERED',
          tierBasis: 'DATE',
          tiers: [{ priceMinor: 1000, until: '0001-01-01T00:00:00Z' }],
        },
      });
      refusedOn(
        await t.gql(ADD_TICKET_TYPE, { eventId, input: ancientTier }, organizer),
        'input.pricing.tiers.0.until',
      );
    });
    // What a serious product needs stays possible: a year-long exhibition 4 years ahead, doors 30 days early,
    // a one-minute event, sales that opened yesterday.
    const far = Date.now() + 4 * 365 * DAY;
    const ok = async (change: Record<string, unknown>) => {
      const res = await t.gql(
        CREATE_EVENT,
        { input: { ...input, title: 'Plausible', ...change } },
        organizer,
      );
      expect(res.errors, JSON.stringify(change)).toBeUndefined();
    };
    await ok({ startsAt: iso(far), endsAt: iso(far + 366 * DAY) });
    await ok({ doorsOpenAt: iso(start - 30 * DAY) });
    await ok({ endsAt: iso(start + 60_000) });
    await ok({ salesStartAt: iso(Date.now() - DAY) });
  });

  it('a start moved away from the stored doors or end, past a bound, is blamed on the start', async () => {
    const input = eventInput({ title: 'Moving' });
    const start = Date.parse(input.startsAt);
    const at = (ms: number) => new Date(start + ms).toISOString();
    const created = await t.gql(CREATE_EVENT, { input: { ...input, doorsOpenAt: at(-HOUR) } }, organizer);
    expect(created.errors).toBeUndefined();
    const id = created.data.createEvent.id;
    const before = await t.stored(id);
    // The stored doors (start - 1 h) would open 31 days before the new start.
    refusedOn(
      await t.gql(
        UPDATE_EVENT,
        { id, input: { startsAt: at(31 * 24 * HOUR), endsAt: at(31 * 24 * HOUR + 4 * HOUR) } },
        organizer,
      ),
      'input.startsAt',
    );
    // The stored end (start + 4 h) would come 30 s after the new start.
    refusedOn(
      await t.gql(UPDATE_EVENT, { id, input: { startsAt: at(4 * HOUR - 30_000) } }, organizer),
      'input.startsAt',
    );
    expect(await t.stored(id)).toEqual(before);
  });

  it('a date stored before these bounds does not block other edits', async () => {
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Legacy' }) }, organizer);
    const id = created.data.createEvent.id;
    const doc = (await t.stored(id))!;
    // Written before the bounds existed: 50 years long, doors 300 days early.
    await t.events
      .updateOne(
        { _id: id },
        {
          $set: {
            endsAt: new Date(doc.startsAt.getTime() + 50 * 365 * 24 * HOUR),
            doorsOpenAt: new Date(doc.startsAt.getTime() - 300 * 24 * HOUR),
          },
        },
      )
      .exec();
    const renamed = await t.gql(UPDATE_EVENT, { id, input: { title: 'Legacy, renamed' } }, organizer);
    expect(renamed.errors).toBeUndefined();
  });

  it('prices above MAX_PRICE_MINOR (1,000,000.00), on the type, its tiers and its demand bounds', async () => {
    const huge = 2_147_483_647;
    const over = MAX_PRICE_MINOR + 1;
    await unchanged(async () => {
      for (const price of [huge, over]) {
        const res = await t.gql(
          ADD_TICKET_TYPE,
          { eventId, input: gaInput({ priceMinor: price }) },
          organizer,
        );
        refusedOn(res, 'input.priceMinor');
        expect(res.errors![0]!.message).toMatch(/at most 1,000,000\.00 EUR/);
        refusedOn(
          await t.gql(UPDATE_TICKET_TYPE, { id: typeId, input: { priceMinor: price } }, organizer),
          'input.priceMinor',
        );
        const tiered = gaInput({
          name: 'Tiered',
          pricing: { type: 'TIERED', tierBasis: 'QUANTITY', tiers: [{ priceMinor: price, upToQuantity: 5 }] },
        });
        refusedOn(
          await t.gql(ADD_TICKET_TYPE, { eventId, input: tiered }, organizer),
          'input.pricing.tiers.0.priceMinor',
        );
        const demand = { type: 'DEMAND', floorMinor: 1000, ceilingMinor: price };
        const ceiling = gaInput({ name: 'Demand', pricing: demand });
        refusedOn(
          await t.gql(ADD_TICKET_TYPE, { eventId, input: ceiling }, organizer),
          'input.pricing.ceilingMinor',
        );
        const both = gaInput({
          name: 'Demand',
          priceMinor: price,
          pricing: { type: 'DEMAND', floorMinor: price, ceilingMinor: price },
        });
        refusedOn(await t.gql(ADD_TICKET_TYPE, { eventId, input: both }, organizer), 'input.priceMinor');
        refusedOn(
          await t.gql(UPDATE_TICKET_TYPE, { id: typeId, input: { pricing: demand } }, organizer),
          'input.pricing.ceilingMinor',
        );
      }
    });
    const top = await t.gql(
      ADD_TICKET_TYPE,
      {
        eventId,
        input: gaInput({
          name: 'Top',
          quantity: 5,
          priceMinor: MAX_PRICE_MINOR,
          pricing: { type: 'DEMAND', floorMinor: 1000, ceilingMinor: MAX_PRICE_MINOR },
        }),
      },
      organizer,
    );
    expect(top.errors).toBeUndefined();
  });

  it('seat sections whose names differ only by case (a-1-1 and A-1-1)', async () => {
    const venue = eventInput().venue;
    const map = (...names: string[]) => ({
      sections: names.map((name) => ({ name, rows: [{ name: '1', seatCount: 2 }] })),
    });
    await unchanged(async () => {
      refusedOn(
        await t.gql(
          CREATE_EVENT,
          { input: eventInput({ venue: { ...venue, seatMap: map('a', 'A') } }) },
          organizer,
        ),
        'input.venue.seatMap.sections.1.name',
      );
      refusedOn(
        await t.gql(
          UPDATE_EVENT,
          { id: eventId, input: { venue: { ...venue, seatMap: map('A', 'B', 'b') } } },
          organizer,
        ),
        'input.venue.seatMap.sections.2.name',
      );
    });
  });

  it('updateTicketType with quantity: null keeps the quantity, like every other null', async () => {
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Nulls' }) }, organizer);
    const id = created.data.createEvent.id;
    const added = await t.gql(ADD_TICKET_TYPE, { eventId: id, input: gaInput({ quantity: 40 }) }, organizer);
    const ga = added.data.addTicketType.ticketTypes[0].id;
    const seated = await t.gql(
      ADD_TICKET_TYPE,
      { eventId: id, input: reservedInput(['A-1-1', 'A-1-2']) },
      organizer,
    );
    const reserved = seated.data.addTicketType.ticketTypes[1].id;
    const before = await t.stored(id);
    for (const [ttId, input] of [
      [ga, { quantity: null }],
      [ga, { quantity: null, name: null, priceMinor: null, seatIds: null }],
      [reserved, { quantity: null }],
      [reserved, { seatIds: null }],
    ] as const) {
      const res = await t.gql(UPDATE_TICKET_TYPE, { id: ttId, input }, organizer);
      expect(res.errors, JSON.stringify(input)).toBeUndefined();
    }
    // Nothing changed: same version, same document.
    expect(await t.stored(id)).toEqual(before);
    // A null quantity beside a real change keeps the quantity too.
    const renamed = await t.gql(
      UPDATE_TICKET_TYPE,
      { id: ga, input: { quantity: null, name: 'Floor' } },
      organizer,
    );
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data.updateTicketType.ticketTypes[0]).toMatchObject({ name: 'Floor', quantity: 40 });
  });

  it('staff emails: exactly the addresses sign-up accepts', async () => {
    await unchanged(async () => {
      for (const email of [
        'x@y.z',
        'ada@example',
        'ada example@example.com',
        'ada@@example.com',
        `${'a'.repeat(250)}@example.com`,
        // RFC 5321: at most 64 octets before the @ (sign-up refuses them: such an account never exists).
        `${'a'.repeat(65)}@example.com`,
        `${'a'.repeat(40)}.${'b'.repeat(40)}@example.com`,
      ])
        refusedOn(await t.gql(ADD_STAFF, { eventId, email }, organizer), 'email');
    });
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Staffed' }) }, organizer);
    const id = created.data.createEvent.id;
    for (const email of [
      'ada@example.com',
      'a.b+tickets@sub.example.co.uk',
      "o'neil@example.ie",
      `${'a'.repeat(64)}@example.com`,
    ]) {
      const res = await t.gql(ADD_STAFF, { eventId: id, email }, organizer);
      expect(res.errors, email).toBeUndefined();
      expect(res.data.addEventStaff.staff.map((s: { email: string }) => s.email)).toContain(email);
    }
    // An entry stored under the older, looser rule can still be removed.
    const legacy = `${'c'.repeat(65)}@example.com`;
    await t.events
      .updateOne(
        { _id: id },
        { $push: { staff: { userId: null, email: legacy, name: null, addedAt: new Date() } } },
      )
      .exec();
    const removed = await t.gql(REMOVE_STAFF, { eventId: id, email: legacy }, organizer);
    expect(removed.errors).toBeUndefined();
    expect(removed.data.removeEventStaff.staff.map((s: { email: string }) => s.email)).not.toContain(legacy);
  });
});
