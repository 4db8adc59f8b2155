import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADD_TICKET_TYPE,
  CANCEL_EVENT,
  CREATE_EVENT,
  EVENT_QUERY,
  eventInput,
  gaInput,
  startEventApp,
  UPDATE_EVENT,
  UPDATE_TICKET_TYPE,
  type EventTestApp,
  type GqlResult,
  type TestUser,
} from './support/event-app';

// Issue 13, items 3 and 4, straight at the event subgraph (the platform's input check and DateTime scalar).

// One app (one database, one set of topics) for the whole file.
let t: EventTestApp;
let organizer: TestUser;

beforeAll(async () => {
  t = await startEventApp('event-input-text');
  organizer = await t.user('ORGANIZER');
});

afterAll(async () => {
  await t?.close();
});

function refusedOn(res: GqlResult, field: string) {
  expect(res.data ?? null, JSON.stringify(res)).toBeNull();
  expect(res.errors?.[0]?.extensions, JSON.stringify(res.errors)).toMatchObject({
    code: 'BAD_USER_INPUT',
    field,
  });
  // Never a database's or driver's words.
  expect(JSON.stringify(res.errors)).not.toMatch(/postgres|SQLSTATE|msg_|mongo/i);
}

describe('text inputs: control, bidi and zero-width characters are refused with the field', () => {
  it.each([
    ['U+0000 in the title', { title: 'Jazz\u0000night' }, 'input.title'],
    ['a bell in the title', { title: 'Jazz\u0007night' }, 'input.title'],
    ['U+202E in the title', { title: 'Jazz \u202Ethgin' }, 'input.title'],
    ['a zero-width space in the title', { title: 'Jazz\u200bnight' }, 'input.title'],
    ['a lone surrogate in the title', { title: 'Jazz \ud800 night' }, 'input.title'],
    ['a line break in the title', { title: 'Jazz\nnight' }, 'input.title'],
    ['U+0000 in the description', { description: 'Line one\nline\u0000two' }, 'input.description'],
    [
      'U+0000 in the venue name',
      { venue: { ...eventInput().venue, name: 'Dock\u0000Hall' } },
      'input.venue.name',
    ],
    ['a bell in the city', { venue: { ...eventInput().venue, city: 'Ly\u0007on' } }, 'input.venue.city'],
    ['U+202E in the city', { venue: { ...eventInput().venue, city: '\u202Enoyl' } }, 'input.venue.city'],
    [
      'a zero-width space in the city',
      { venue: { ...eventInput().venue, city: 'Ly\u200bon' } },
      'input.venue.city',
    ],
  ])('refuses %s, writing nothing', async (_name, overrides, field) => {
    const before = await t.events.countDocuments().exec();
    refusedOn(await t.gql(CREATE_EVENT, { input: eventInput(overrides) }, organizer), field);
    expect(await t.events.countDocuments().exec()).toBe(before);
  });

  it('refuses U+0000 in an inline literal and in a plain ID argument', async () => {
    const inline = await t.gql(
      `mutation { createEvent(input: { title: "Jazz\\u0000", category: MUSIC, timeZone: "UTC",
        startsAt: "2031-03-03T10:00:00Z", endsAt: "2031-03-03T12:00:00Z",
        venue: { name: "Hall", address: "1 Street", city: "Lyon", capacity: 10 } }) { id } }`,
      {},
      organizer,
    );
    refusedOn(inline, 'input.title');
    refusedOn(await t.gql(EVENT_QUERY, { id: 'abc\u0000def' }), 'id');
  });

  it('keeps line breaks and tabs in the multi-line description', async () => {
    const description = 'Doors at 19:00.\nSupport act:\tThe Quays.\r\nNo re-entry.';
    const res = await t.gql(CREATE_EVENT, { input: eventInput({ description }) }, organizer);
    expect(res.errors).toBeUndefined();
    expect(res.data.createEvent.description).toBe(description);
  });
});

/** Texts that show nothing: a person reading them sees a blank (audit M1, M8). */
const BLANK: Array<[string, string]> = [
  ['a lone combining accent', '\u0301'],
  ['two combining accents', '\u0300\u0301'],
  ['the Hangul filler U+3164', '\u3164'],
  ['three Hangul fillers', '\u3164\u3164\u3164'],
  ['blank braille patterns', '\u2800\u2800'],
  ['the Hangul choseong filler U+115F', '\u115F'],
  ['the halfwidth Hangul filler U+FFA0', '\uFFA0'],
  ['spaces around fillers and marks', ' \u3164\u0301\u2800 '],
];

describe('texts a person reads must show something: blank-looking ones are refused on their field', () => {
  let eventId: string;
  let typeId: string;

  beforeAll(async () => {
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ title: 'Blank checks' }) }, organizer);
    eventId = created.data.createEvent.id;
    const added = await t.gql(ADD_TICKET_TYPE, { eventId, input: gaInput() }, organizer);
    typeId = added.data.addTicketType.ticketTypes[0].id;
  });

  /** Runs `attempt` and checks that no event was added and this one is exactly as before. */
  async function unchanged(attempt: () => Promise<void>) {
    const before = await t.stored(eventId);
    const count = await t.events.countDocuments().exec();
    await attempt();
    expect(await t.stored(eventId)).toEqual(before);
    expect(await t.events.countDocuments().exec()).toBe(count);
  }

  it.each(BLANK)('venue name, address and city of %s, on create and on update', async (_label, blank) => {
    const venue = eventInput().venue;
    await unchanged(async () => {
      for (const key of ['name', 'address', 'city'] as const) {
        const input = eventInput({ venue: { ...venue, [key]: blank } });
        refusedOn(await t.gql(CREATE_EVENT, { input }, organizer), `input.venue.${key}`);
        const update = { venue: { ...venue, [key]: blank } };
        refusedOn(await t.gql(UPDATE_EVENT, { id: eventId, input: update }, organizer), `input.venue.${key}`);
      }
    });
  });

  it('a city of combining marks only is BAD_USER_INPUT with a plain message, never an internal error', async () => {
    const res = await t.gql(
      CREATE_EVENT,
      { input: eventInput({ venue: { name: 'Hall', address: '1 Main St', city: '\u0301', capacity: 10 } }) },
      organizer,
    );
    refusedOn(res, 'input.venue.city');
    expect(res.errors![0]!.message).toBe('The venue needs a city');
  });

  it('a city with nothing its search key keeps (a spacing accent alone) is refused, not an internal error', async () => {
    // U+00B4 shows, but is a space and a combining accent once decomposed: it has no letter to find it by.
    await unchanged(async () => {
      for (const city of ['\u00B4', '\u00A8\u00B4', '\u02D8']) {
        const venue = { ...eventInput().venue, city };
        refusedOn(await t.gql(CREATE_EVENT, { input: eventInput({ venue }) }, organizer), 'input.venue.city');
        refusedOn(
          await t.gql(UPDATE_EVENT, { id: eventId, input: { venue } }, organizer),
          'input.venue.city',
        );
      }
    });
  });

  it.each(BLANK)('a title or a description of %s', async (_label, blank) => {
    await unchanged(async () => {
      // Three characters long, so only "nothing visible" can refuse it.
      const title = blank.padEnd(3, '\u3164');
      refusedOn(await t.gql(CREATE_EVENT, { input: eventInput({ title }) }, organizer), 'input.title');
      refusedOn(await t.gql(UPDATE_EVENT, { id: eventId, input: { title } }, organizer), 'input.title');
      const description = `${blank}\n${blank}`;
      refusedOn(
        await t.gql(CREATE_EVENT, { input: eventInput({ description }) }, organizer),
        'input.description',
      );
      refusedOn(
        await t.gql(UPDATE_EVENT, { id: eventId, input: { description } }, organizer),
        'input.description',
      );
    });
  });

  it.each([...BLANK, ['a braille blank', '\u2800']])(
    'a ticket type name of %s, on add and on update',
    async (_label, name) => {
      await unchanged(async () => {
        refusedOn(
          await t.gql(ADD_TICKET_TYPE, { eventId, input: gaInput({ name, quantity: 5 }) }, organizer),
          'input.name',
        );
        refusedOn(await t.gql(UPDATE_TICKET_TYPE, { id: typeId, input: { name } }, organizer), 'input.name');
      });
    },
  );

  it.each(BLANK)(
    'a cancellation reason of %s (irreversible: attendees would read a blank)',
    async (_l, blank) => {
      await unchanged(async () => {
        const reason = blank.padEnd(3, '\u3164');
        refusedOn(await t.gql(CANCEL_EVENT, { id: eventId, reason }, organizer), 'reason');
      });
      expect((await t.stored(eventId))!.status).toBe('DRAFT');
    },
  );

  it('keeps accents, emoji and Indic scripts everywhere', async () => {
    const input = eventInput({
      title: 'Jazz 🎷 à Chennai',
      description: 'நிகழ்ச்சி 🎶 — entrée libre',
      venue: { name: 'Café Zoë 🎷', address: 'निकिता मार्ग 5', city: 'சென்னை', capacity: 100 },
    });
    const created = await t.gql(CREATE_EVENT, { input }, organizer);
    expect(created.errors).toBeUndefined();
    const id = created.data.createEvent.id;
    expect(created.data.createEvent.venue).toMatchObject({
      name: 'Café Zoë 🎷',
      address: 'निकिता मार्ग 5',
      city: 'சென்னை',
    });
    expect((await t.stored(id))!.cityKey).not.toBe('');
    const renamed = await t.gql(
      UPDATE_EVENT,
      { id, input: { venue: { ...input.venue, city: 'Zürich', name: '서울 Hall' } } },
      organizer,
    );
    expect(renamed.errors).toBeUndefined();
    expect(renamed.data.updateEvent.venue).toMatchObject({ city: 'Zürich', name: '서울 Hall' });
    const added = await t.gql(
      ADD_TICKET_TYPE,
      { eventId: id, input: gaInput({ name: 'Entrée ❤️ प्रवेश' }) },
      organizer,
    );
    expect(added.errors).toBeUndefined();
    expect(added.data.addTicketType.ticketTypes[0].name).toBe('Entrée ❤️ प्रवेश');
    const cancelled = await t.gql(CANCEL_EVENT, { id, reason: 'Orage ⛈️ — மழை' }, organizer);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data.cancelEvent.cancelReason).toBe('Orage ⛈️ — மழை');
  });
});

describe('DateTime inputs: exactly RFC 3339 with an offset, real dates, the field named', () => {
  it.each([
    ['a number', 0],
    ['prose', 'March 3, 2031 10:00'],
    ['an impossible date', '2031-02-30T10:00:00Z'],
    ['no offset', '2031-03-03T10:00:00'],
    ['a bare year', '2031'],
  ])('refuses %s as a variable, writing nothing', async (_name, startsAt) => {
    const before = await t.events.countDocuments().exec();
    refusedOn(await t.gql(CREATE_EVENT, { input: eventInput({ startsAt }) }, organizer), 'input.startsAt');
    expect(await t.events.countDocuments().exec()).toBe(before);
  });

  it('refuses an impossible date given inline, naming the field', async () => {
    const res = await t.gql(
      `mutation { createEvent(input: { title: "Jazz", category: MUSIC, timeZone: "UTC",
        startsAt: "2031-02-30T10:00:00Z", endsAt: "2031-03-03T12:00:00Z",
        venue: { name: "Hall", address: "1 Street", city: "Lyon", capacity: 10 } }) { id } }`,
      {},
      organizer,
    );
    refusedOn(res, 'input.startsAt');
  });

  it('accepts an offset other than Z and stores the instant', async () => {
    const res = await t.gql(
      CREATE_EVENT,
      { input: eventInput({ startsAt: '2031-03-03T11:00:00+01:00', endsAt: '2031-03-03T14:00:00+01:00' }) },
      organizer,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.createEvent.startsAt).toBe('2031-03-03T10:00:00.000Z');
  });
});

describe('perBuyerMax: one per ticket type and one per event (issue 13, item 5)', () => {
  it('stores an event-wide limit, refuses one below 1 and clears it with null', async () => {
    refusedOn(
      await t.gql(CREATE_EVENT, { input: eventInput({ perBuyerMax: 0 }) }, organizer),
      'input.perBuyerMax',
    );
    const created = await t.gql(CREATE_EVENT, { input: eventInput({ perBuyerMax: 3 }) }, organizer);
    expect(created.errors).toBeUndefined();
    const id = created.data.createEvent.id as string;
    const read = `query($id: ID!) { event(id: $id) { perBuyerMax } }`;
    expect((await t.gql(read, { id }, organizer)).data.event.perBuyerMax).toBe(3);
    const cleared = await t.gql(
      `mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { perBuyerMax } }`,
      { id, input: { perBuyerMax: null } },
      organizer,
    );
    expect(cleared.errors).toBeUndefined();
    expect(cleared.data.updateEvent.perBuyerMax).toBeNull();
    expect((await t.stored(id))?.perBuyerMax).toBeNull();
  });

  it('says in the schema which limit is which', async () => {
    const sdl = (await t.gql<{ _service: { sdl: string } }>('{ _service { sdl } }')).data!._service.sdl;
    expect(sdl).toMatch(/Most tickets of this ticket type one buyer may hold/);
    expect(sdl).toMatch(/Most tickets of this event one buyer may hold, across all its ticket types/);
    expect(sdl).not.toMatch(/"""Most tickets of this event one buyer may hold\."""/);
  });
});
