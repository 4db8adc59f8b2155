import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_EVENT,
  EVENT_QUERY,
  eventInput,
  startEventApp,
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
