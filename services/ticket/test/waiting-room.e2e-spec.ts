import { createRequire } from 'node:module';
import { getModelToken } from '@nestjs/mongoose';
import { RedisService, type AuthUser } from '@ticketing/platform';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { createClient } from 'graphql-ws';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { CatalogConsumer } from '../src/messaging/catalog.consumer';
import { RESERVATION, type ReservationDoc } from '../src/reservations/schemas/reservation.schema';
import { passKeyFrom, signAdmissionPass, verifyAdmissionPass } from '../src/waiting-room/admission-pass';
import {
  entryIdOf,
  WAITING_ROOM_ENTRY,
  type WaitingRoomEntryDoc,
} from '../src/waiting-room/schemas/waiting-room-entry.schema';
import { RANKS_SCRIPT } from '../src/waiting-room/waiting-room.lua';
import { PASS_ATTEMPTS, WaitingRoomService } from '../src/waiting-room/waiting-room.service';
import {
  cancelledEnvelope,
  eventFixture,
  rescheduledEnvelope,
  user,
  type EventFixture,
} from './support/fixtures';
import { firstError, gql, type GqlAnswer } from './support/graphql-client';
import { startTicket, type RunningTicket } from './support/ticket-app';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// The waiting room over GraphQL on one in-process ticket app, against the shared Redis and MongoDB (this
// file's own database and Redis key prefix). The admitter runs on its own timer, as in production.

let ctx: TestContext;
let issuer: TestIssuer;
let svc: RunningTicket;

type Person = ReturnType<typeof user> & { token: string };

const JOIN = `mutation($e: ID!) { joinWaitingRoom(eventId: $e) { state position estimatedWaitSeconds admissionPass passExpiresAt } }`;
const STATUS = `query($e: ID!) { waitingRoomStatus(eventId: $e) { state position admissionPass passExpiresAt } }`;
const SET = `mutation($e: ID!, $input: SetWaitingRoomInput!) { setWaitingRoom(eventId: $e, input: $input) { eventId enabled minLimit maxLimit currentLimit passTtlSeconds } }`;
const VIEW = `query($e: ID!) { waitingRoom(eventId: $e) { enabled waiting admittedOutstanding currentLimit admittedPerMinute } }`;
const RESERVE = `mutation($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id status } }`;

const entries = () => svc.get<Model<WaitingRoomEntryDoc>>(getModelToken(WAITING_ROOM_ENTRY));
const reservationsOf = (buyerId: string) =>
  svc.get<Model<ReservationDoc>>(getModelToken(RESERVATION)).countDocuments({ buyerId }).exec();

beforeAll(async () => {
  ctx = createTestContext('ticket-waiting-room');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  svc = await startTicket(ctx, issuer);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

async function person(role: 'ATTENDEE' | 'ORGANIZER' | 'ADMIN' = 'ATTENDEE'): Promise<Person> {
  const u = user(role);
  return { ...u, token: await issuer.sign(u) };
}

async function publish(organizer: Person, gaQuantity = 100): Promise<EventFixture> {
  const fx = eventFixture({ organizerId: organizer.id, gaQuantity, perBuyerMax: 6 });
  await svc.get(CatalogConsumer).apply(fx.published);
  return fx;
}

function ok(answer: GqlAnswer) {
  expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
  return answer.data;
}

/** Every room a test switched on (the last test switches them off again). */
const roomsOn: Array<{ fx: EventFixture; organizer: Person }> = [];

async function roomOn(fx: EventFixture, organizer: Person, input: Record<string, unknown> = {}) {
  roomsOn.push({ fx, organizer });
  return ok(await gql(svc.url, SET, { e: fx.eventId, input: { enabled: true, ...input } }, organizer.token))
    .setWaitingRoom;
}

const join = async (fx: EventFixture, p: Person) =>
  ok(await gql(svc.url, JOIN, { e: fx.eventId }, p.token)).joinWaitingRoom;
const status = async (fx: EventFixture, p: Person) =>
  ok(await gql(svc.url, STATUS, { e: fx.eventId }, p.token)).waitingRoomStatus;
const view = async (fx: EventFixture, organizer: Person) =>
  ok(await gql(svc.url, VIEW, { e: fx.eventId }, organizer.token)).waitingRoom;
const reserve = (fx: EventFixture, p: Person, admissionPass?: string) =>
  gql(svc.url, RESERVE, { input: { ticketTypeId: fx.gaTypeId, quantity: 1, admissionPass } }, p.token);

/** Joins one after the other (arrival order = array order). */
async function queue(fx: EventFixture, count: number): Promise<Person[]> {
  const people: Person[] = [];
  for (let i = 0; i < count; i++) {
    const p = await person();
    await join(fx, p);
    people.push(p);
  }
  return people;
}

/** Waits until the admitter has admitted exactly `count` of `people` (the rest still waiting). */
async function settled(fx: EventFixture, people: Person[], count: number) {
  return vi.waitFor(
    async () => {
      const states = await Promise.all(people.map((p) => status(fx, p)));
      expect(states.filter((s) => s.state === 'ADMITTED')).toHaveLength(count);
      return states;
    },
    { timeout: 5_000, interval: 50 },
  );
}

/** Deletes every waiting-room key of this test file's Redis prefix (never anything else: Redis is shared). */
async function flushRoomKeys(): Promise<number> {
  const client = svc.get(RedisService).client;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${ctx.redisPrefix}wroom:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

describe('waiting room off (the default)', () => {
  it('says NOT_NEEDED and reserveTickets needs no pass', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    const buyer = await person();
    expect(await join(fx, buyer)).toMatchObject({ state: 'NOT_NEEDED', position: null, admissionPass: null });
    expect(ok(await reserve(fx, buyer)).reserveTickets.status).toBe('HELD');
    expect(await view(fx, organizer)).toMatchObject({ enabled: false, waiting: 0 });
    // Switched on and off again: reserving needs no pass any more.
    await roomOn(fx, organizer);
    expect(firstError(await reserve(fx, buyer))?.code).toBe('ADMISSION_REQUIRED');
    ok(await gql(svc.url, SET, { e: fx.eventId, input: { enabled: false } }, organizer.token));
    expect(ok(await reserve(fx, buyer)).reserveTickets.status).toBe('HELD');
  });

  it('costs reserveTickets no Redis call of its own while off (one settings read per event per second)', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    const buyer = await person();
    const client = svc.get(RedisService).client;
    const roomKeyReads: string[] = [];
    // Observes (and passes through) every GET of the service's Redis client.
    const original = client.get.bind(client) as (...args: unknown[]) => unknown;
    const spy = vi.spyOn(client, 'get').mockImplementation(((...args: unknown[]) => {
      if (String(args[0]).includes('wroom:')) roomKeyReads.push(String(args[0]));
      return original(...args);
    }) as never);
    try {
      const started = Date.now();
      for (let i = 0; i < 5; i++) expect(ok(await reserve(fx, buyer)).reserveTickets.status).toBe('HELD');
      const seconds = (Date.now() - started) / 1000;
      expect(roomKeyReads.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    } finally {
      spy.mockRestore();
    }
  });

  it('lets only the organizer or ADMIN switch it, refuses bad tuning and writes nothing', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    const stranger = await person('ORGANIZER');
    for (const p of [stranger, await person()]) {
      const answer = await gql(svc.url, SET, { e: fx.eventId, input: { enabled: true } }, p.token);
      expect(firstError(answer)?.code).toBe('FORBIDDEN');
      expect(firstError(await gql(svc.url, VIEW, { e: fx.eventId }, p.token))?.code).toBe('FORBIDDEN');
    }
    const bad = await gql(
      svc.url,
      SET,
      { e: fx.eventId, input: { enabled: true, minLimit: 10, maxLimit: 5 } },
      organizer.token,
    );
    expect(firstError(bad)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.minLimit' });
    const short = await gql(
      svc.url,
      SET,
      { e: fx.eventId, input: { enabled: true, passTtlSeconds: 1 } },
      organizer.token,
    );
    expect(firstError(short)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.passTtlSeconds' });
    expect(await view(fx, organizer)).toMatchObject({ enabled: false });
    const admin = await person('ADMIN');
    expect(
      ok(await gql(svc.url, SET, { e: fx.eventId, input: { enabled: true } }, admin.token)).setWaitingRoom,
    ).toMatchObject({ enabled: true, minLimit: 2, maxLimit: 500 });
    // The error names the field the caller sent (maxLimit under the stored minLimit of 2), not a stored one.
    const under = await gql(
      svc.url,
      SET,
      { e: fx.eventId, input: { enabled: true, maxLimit: 1 } },
      admin.token,
    );
    expect(firstError(under)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.maxLimit' });
    expect(await view(fx, organizer)).toMatchObject({ enabled: true });
    // A new bound the stored starting limit (20) lies outside of moves it along instead of refusing.
    const narrowed = ok(
      await gql(svc.url, SET, { e: fx.eventId, input: { enabled: true, maxLimit: 10 } }, organizer.token),
    ).setWaitingRoom;
    expect(narrowed).toMatchObject({ maxLimit: 10 });
    expect(narrowed.currentLimit).toBeLessThanOrEqual(10);
    // A retune answers with the limit it set, not the one before.
    const pinned = ok(
      await gql(
        svc.url,
        SET,
        { e: fx.eventId, input: { enabled: true, initialLimit: 5, minLimit: 5, maxLimit: 5 } },
        organizer.token,
      ),
    ).setWaitingRoom;
    expect(pinned).toMatchObject({ minLimit: 5, maxLimit: 5, currentLimit: 5 });
    expect(await view(fx, organizer)).toMatchObject({ currentLimit: 5 });
    ok(await gql(svc.url, SET, { e: fx.eventId, input: { enabled: false } }, organizer.token));
  });
});

describe('admission', () => {
  it('admits in arrival order and never more than the limit', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 3, minLimit: 3, maxLimit: 3 });
    const samples: number[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        samples.push((await view(fx, organizer)).admittedOutstanding);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    try {
      const people = await queue(fx, 10);
      // Joining again keeps the place (and does not add a second one).
      const again = await join(fx, people[9]!);
      expect(again.state === 'WAITING' || again.state === 'ADMITTED').toBe(true);
      let states = await settled(fx, people, 3);
      expect(states.map((s) => s.state)).toEqual([...Array(3).fill('ADMITTED'), ...Array(7).fill('WAITING')]);
      expect(states.slice(3).map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      // Racing admitters (several replicas) still admit nobody past the limit.
      await Promise.all(Array.from({ length: 5 }, () => svc.get(WaitingRoomService).admit(fx.eventId)));
      expect((await view(fx, organizer)).admittedOutstanding).toBe(3);

      // A waiting buyer cannot reserve; nothing is held for them.
      const refused = await reserve(fx, people[9]!);
      expect(firstError(refused)).toMatchObject({ code: 'ADMISSION_REQUIRED', field: 'input.admissionPass' });
      expect(await reservationsOf(people[9]!.id)).toBe(0);

      // Two admitted buyers reserve: the next two in line are admitted, in order.
      for (const i of [1, 0]) {
        expect(ok(await reserve(fx, people[i]!, states[i]!.admissionPass)).reserveTickets.status).toBe(
          'HELD',
        );
      }
      states = await settled(fx, people.slice(2), 3);
      expect(states.map((s) => s.state)).toEqual([...Array(3).fill('ADMITTED'), ...Array(5).fill('WAITING')]);
      expect(states.slice(3).map((s) => s.position)).toEqual([1, 2, 3, 4, 5]);
      const room = await view(fx, organizer);
      expect(room).toMatchObject({ waiting: 5, admittedOutstanding: 3, currentLimit: 3 });
      expect(room.admittedPerMinute).toBeGreaterThanOrEqual(5);
    } finally {
      sampling = false;
      await sampler;
    }
    expect(samples.length).toBeGreaterThan(5);
    expect(Math.max(...samples)).toBeLessThanOrEqual(3);
  });

  it('gives 40 buyers joining at once 40 distinct places and admits them by arrival sequence', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 10, minLimit: 10, maxLimit: 10 });
    // Ten early buyers take every slot, so nobody is admitted while the 40 are still joining.
    const early = await queue(fx, 10);
    const earlyStates = await settled(fx, early, 10);
    const people = await Promise.all(Array.from({ length: 40 }, () => person()));
    // Joins arriving together share inserts (one command per batch, not one per buyer).
    const inserts = vi.spyOn(entries().collection, 'insertMany');
    try {
      await Promise.all(people.map((p) => join(fx, p)));
      expect(inserts.mock.calls.length).toBeGreaterThan(0);
      expect(inserts.mock.calls.length).toBeLessThan(40);
      expect(inserts.mock.calls.flatMap((call) => call[0]).length).toBe(40);
    } finally {
      inserts.mockRestore();
    }
    await Promise.all(people.slice(0, 10).map((p) => join(fx, p))); // joining again changes nothing
    expect((await view(fx, organizer)).waiting).toBe(40);
    // The early buyers reserve: their ten slots go to the first ten of the 40 by arrival sequence.
    await Promise.all(
      early.map(async (p, i) =>
        expect(ok(await reserve(fx, p, earlyStates[i]!.admissionPass)).reserveTickets.status).toBe('HELD'),
      ),
    );
    const states = await settled(fx, people, 10);
    const positions = states.filter((s) => s.state === 'WAITING').map((s) => s.position as number);
    expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const docs = await entries()
      .find({ eventId: fx.eventId, userId: { $in: people.map((p) => p.id) } })
      .lean<WaitingRoomEntryDoc[]>()
      .exec();
    expect(docs).toHaveLength(40);
    expect(new Set(docs.map((d) => d.seq)).size).toBe(40);
    const bySeq = [...docs].sort((a, b) => a.seq - b.seq);
    expect(bySeq.slice(0, 10).every((d) => d.state === 'ADMITTED')).toBe(true);
    expect(bySeq.slice(10).every((d) => d.state === 'WAITING')).toBe(true);
    // Positions follow the sequence too.
    const positionOf = new Map(people.map((p, i) => [p.id, states[i]!.position]));
    expect(bySeq.slice(10).map((d) => positionOf.get(d.userId))).toEqual(
      Array.from({ length: 30 }, (_, i) => i + 1),
    );
  });

  it('reads the places of many buyers at once with one Redis call and one read each for those let in', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 2, minLimit: 2, maxLimit: 2 });
    const people = await queue(fx, 12);
    await settled(fx, people, 2);
    const room = svc.get(WaitingRoomService);
    const client = svc.get(RedisService).client;
    // Forget what the admissions above were read as, so this batch reads them.
    (room as unknown as { settled: Map<string, unknown> }).settled.clear();
    const evals = vi.spyOn(client, 'eval');
    const finds = vi.spyOn(entries(), 'findById');
    try {
      const states = await Promise.all(people.map((p) => room.status(p as AuthUser, fx.eventId)));
      expect(states.map((s) => s.state)).toEqual([
        ...Array(2).fill('ADMITTED'),
        ...Array(10).fill('WAITING'),
      ]);
      expect(states.slice(2).map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(states.slice(0, 2).every((s) => s.admissionPass)).toBe(true);
      // One script for the twelve places; the two admitted buyers' entries read by _id (nobody else's).
      expect(evals.mock.calls.filter((call) => call[0] === RANKS_SCRIPT)).toHaveLength(1);
      expect(finds.mock.calls.map((call) => call[0]).sort()).toEqual(
        people
          .slice(0, 2)
          .map((p) => entryIdOf(fx.eventId, p.id))
          .sort(),
      );
      // A buyer who never joined, in the same batch, is told so.
      const stranger = await person();
      const [again, never] = await Promise.all([
        room.status(people[5]! as AuthUser, fx.eventId),
        room.status(stranger as AuthUser, fx.eventId),
      ]);
      expect(again).toMatchObject({ state: 'WAITING', position: 4 });
      expect(never.state).toBe('NOT_JOINED');
    } finally {
      evals.mockRestore();
      finds.mockRestore();
    }
  });

  it('refuses a forged pass, another buyer’s pass, an expired pass and a used pass, holding nothing', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 5, minLimit: 5, maxLimit: 5 });
    const [a, b, c, d] = await queue(fx, 4);
    const states = await settled(fx, [a!, b!, c!, d!], 4);
    const [passA, passB, passC, passD] = states.map((s) => s.admissionPass as string);
    const expectRefused = async (p: Person, pass: string | undefined, reason: string) => {
      const before = await reservationsOf(p.id);
      const answer = await reserve(fx, p, pass);
      expect(firstError(answer), reason).toMatchObject({
        code: 'ADMISSION_REQUIRED',
        field: 'input.admissionPass',
      });
      expect(answer.errors?.[0]?.extensions).toMatchObject({ reason });
      expect(await reservationsOf(p.id)).toBe(before);
    };
    const config = svc.config;
    const key = passKeyFrom(config.WAITING_ROOM_PASS_KEY, config.DISPLAY_CODE_MASTER_KEY);
    const claimsA = verifyAdmissionPass(key, passA!, { eventId: fx.eventId, userId: a!.id });
    if (!claimsA.ok) throw new Error('the pass the room gave does not verify');

    // Forged: B's claims under A's signature, and a pass signed with another key.
    const [prefix, , signature] = passA!.split('.');
    const payloadForB = Buffer.from(
      JSON.stringify({ e: fx.eventId, u: b!.id, p: claimsA.claims.passId, x: Date.now() + 60_000 }),
    ).toString('base64url');
    await expectRefused(b!, `${prefix}.${payloadForB}.${signature}`, 'BAD_SIGNATURE');
    const otherKey = passKeyFrom('k'.repeat(40), config.DISPLAY_CODE_MASTER_KEY);
    await expectRefused(
      b!,
      signAdmissionPass(otherKey, { ...claimsA.claims, userId: b!.id }),
      'BAD_SIGNATURE',
    );
    await expectRefused(b!, 'P1.garbage.garbage', 'MALFORMED');
    await expectRefused(b!, undefined, 'MISSING');
    // Another buyer's genuine pass.
    await expectRefused(b!, passA, 'WRONG_USER');
    // Expired: a genuine token past its time, and a token whose entry ran out (checked in MongoDB too).
    await expectRefused(
      a!,
      signAdmissionPass(key, { ...claimsA.claims, expiresAt: new Date(Date.now() - 1) }),
      'EXPIRED',
    );
    await entries()
      .updateOne({ _id: entryIdOf(fx.eventId, d!.id) }, { $set: { passExpiresAt: new Date(Date.now() - 1) } })
      .exec();
    await expectRefused(d!, passD, 'EXPIRED');
    expect((await status(fx, d!)).state).toBe('PASS_EXPIRED');

    // Used: one reservation per pass; the second attempt is refused.
    expect(ok(await reserve(fx, a!, passA)).reserveTickets.status).toBe('HELD');
    await expectRefused(a!, passA, 'USED');
    expect((await status(fx, a!)).state).toBe('PASS_USED');
    // The same pass fired five times at once: exactly one hold.
    const racing = await Promise.all(Array.from({ length: 5 }, () => reserve(fx, c!, passC)));
    expect(racing.filter((r) => !r.errors).length).toBe(1);
    expect(racing.filter((r) => firstError(r)?.code === 'ADMISSION_REQUIRED').length).toBe(4);
    expect(await reservationsOf(c!.id)).toBe(1);
    // A refused attempt (bad quantity) gives the pass back for another try, and typos do not use up its
    // attempts: more of them than the pass allows still leave it good for the right request.
    for (let i = 0; i < PASS_ATTEMPTS + 1; i++) {
      const tooMany = await gql(
        svc.url,
        RESERVE,
        { input: { ticketTypeId: fx.gaTypeId, quantity: 99, admissionPass: passB } },
        b!.token,
      );
      expect(firstError(tooMany)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.quantity' });
    }
    expect(await entries().findById(entryIdOf(fx.eventId, b!.id)).lean().exec()).toMatchObject({
      state: 'ADMITTED',
      attempts: 0,
    });
    expect(ok(await reserve(fx, b!, passB)).reserveTickets.status).toBe('HELD');
    // After their turn a buyer joins again at the back of the queue.
    const rejoined = await join(fx, a!);
    expect(['WAITING', 'ADMITTED']).toContain(rejoined.state);
    expect(rejoined.admissionPass).not.toBe(passA);
  });
});

describe('one buyer, one pass, several requests at once', () => {
  it('a good pass is never called expired or used while another request of the buyer has it', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 5, minLimit: 5, maxLimit: 5 });
    const buyers = await queue(fx, 4);
    const states = await settled(fx, buyers, 4);
    for (const [i, buyer] of buyers.entries()) {
      const pass = states[i]!.admissionPass as string;
      // A request refused for its own reason (here: too many tickets) hands the pass back; the right one,
      // sent at the same instant, either goes first or waits for it, and holds.
      const [refused, right] = await Promise.all([
        gql(
          svc.url,
          RESERVE,
          { input: { ticketTypeId: fx.gaTypeId, quantity: 99, admissionPass: pass } },
          buyer.token,
        ),
        reserve(fx, buyer, pass),
      ]);
      expect(ok(right).reserveTickets.status).toBe('HELD');
      // The other: refused for its quantity, or, when the right one went first, for the pass it spent.
      const why = refused.errors?.[0]?.extensions as
        { code?: string; field?: string; reason?: string } | undefined;
      expect(
        [why?.code === 'BAD_USER_INPUT' && why.field === 'input.quantity', why?.reason === 'USED'],
        JSON.stringify(why),
      ).toContain(true);
      // Spent: asked again, it is USED at once (no wait for a request that is not there).
      const started = Date.now();
      expect((await reserve(fx, buyer, pass)).errors?.[0]?.extensions).toMatchObject({
        code: 'ADMISSION_REQUIRED',
        reason: 'USED',
      });
      expect(Date.now() - started).toBeLessThan(1_000);
    }
  });
});

describe('a sale over for good', () => {
  /** Opens a waitingRoomUpdated subscription for `p`; `states` collects every state pushed. */
  function watchStates(fx: EventFixture, p: Person) {
    const client = createClient({
      url: svc.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${p.token}` },
      retryAttempts: 0,
    });
    const states: string[] = [];
    const iterator = client.iterate<{ waitingRoomUpdated: { state: string } }>({
      query: `subscription($e: ID!) { waitingRoomUpdated(eventId: $e) { state } }`,
      variables: { e: fx.eventId },
    });
    const reading = (async () => {
      for await (const result of iterator) states.push(result.data?.waitingRoomUpdated.state ?? 'ERROR');
    })().catch(() => undefined);
    return {
      states,
      close: async () => {
        await iterator.return?.();
        await client.dispose();
        await reading;
      },
    };
  }

  it('a cancelled event: watchers hear CLOSED at once, nobody joins or is let in, and no pass is spent', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 1, minLimit: 1, maxLimit: 1 });
    const people = await queue(fx, 3);
    const [first] = await settled(fx, people, 1);
    const watcher = watchStates(fx, people[2]!);
    try {
      await vi.waitFor(() => expect(watcher.states).toContain('WAITING'), { timeout: 5_000, interval: 20 });
      const cancelledAt = Date.now();
      await svc.get(CatalogConsumer).apply(cancelledEnvelope(fx));
      await vi.waitFor(() => expect(watcher.states.at(-1)).toBe('CLOSED'), { timeout: 2_000, interval: 10 });
      expect(Date.now() - cancelledAt).toBeLessThan(1_500);
    } finally {
      await watcher.close();
    }
    for (const p of people) expect((await status(fx, p)).state).toBe('CLOSED');
    const late = await person();
    const refusedJoin = await gql(svc.url, JOIN, { e: fx.eventId }, late.token);
    expect(firstError(refusedJoin)).toMatchObject({ code: 'FORBIDDEN', message: 'The event is cancelled' });
    expect(
      await entries()
        .countDocuments({ _id: entryIdOf(fx.eventId, late.id) })
        .exec(),
    ).toBe(0);
    // The admitted buyer's pass: refused by the sale, and the pass itself is not touched.
    const refusedHold = await reserve(fx, people[0]!, first!.admissionPass);
    expect(firstError(refusedHold)).toMatchObject({ code: 'FORBIDDEN', message: 'The event is cancelled' });
    expect(await reservationsOf(people[0]!.id)).toBe(0);
    expect(await entries().findById(entryIdOf(fx.eventId, people[0]!.id)).lean().exec()).toMatchObject({
      state: 'ADMITTED',
      attempts: 0,
    });
    // Nobody else is let in, even once the pass lapses.
    await entries()
      .updateOne(
        { _id: entryIdOf(fx.eventId, people[0]!.id) },
        { $set: { passExpiresAt: new Date(Date.now() - 1) } },
      )
      .exec();
    expect(await svc.get(WaitingRoomService).admit(fx.eventId)).toMatchObject({ admitted: 0 });
    expect(await entries().countDocuments({ eventId: fx.eventId, state: 'WAITING' }).exec()).toBe(2);
    // The organizer cannot switch it on again (off is allowed).
    const on = await gql(svc.url, SET, { e: fx.eventId, input: { enabled: true } }, organizer.token);
    expect(firstError(on)).toMatchObject({ code: 'FORBIDDEN', message: 'The event is cancelled' });
    ok(await gql(svc.url, SET, { e: fx.eventId, input: { enabled: false } }, organizer.token));
  });

  it('an event whose end has passed sells nothing, with or without a room, before ENDED is announced', async () => {
    const organizer = await person('ORGANIZER');
    const withRoom = await publish(organizer);
    const withoutRoom = await publish(organizer);
    await roomOn(withRoom, organizer, { initialLimit: 5, minLimit: 5, maxLimit: 5 });
    const [buyer] = await queue(withRoom, 1);
    const [admitted] = await settled(withRoom, [buyer!], 1);
    // The event service moved both events into the past; its sweeper has not announced ENDED yet, and the
    // ticket types' own sales end is still a month away.
    const hour = 3600_000;
    for (const fx of [withRoom, withoutRoom]) {
      await svc
        .get(CatalogConsumer)
        .apply(rescheduledEnvelope(fx, new Date(Date.now() - 3 * hour), new Date(Date.now() - 1_000)));
    }
    const other = await person();
    await vi.waitFor(
      async () => {
        expect(firstError(await reserve(withoutRoom, other))).toMatchObject({
          code: 'FORBIDDEN',
          message: 'The event has ended',
        });
        expect(firstError(await reserve(withRoom, buyer!, admitted!.admissionPass))).toMatchObject({
          code: 'FORBIDDEN',
          message: 'The event has ended',
        });
      },
      { timeout: 3_000, interval: 100 },
    );
    expect(await reservationsOf(other.id)).toBe(0);
    expect(await reservationsOf(buyer!.id)).toBe(0);
    expect((await status(withRoom, buyer!)).state).toBe('CLOSED');
    expect(firstError(await gql(svc.url, JOIN, { e: withRoom.eventId }, other.token))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'The event has ended',
    });
  });
});

describe('Redis flush mid-queue', () => {
  it('keeps every place and admits no flood; passes in flight stay valid once', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 2, minLimit: 2, maxLimit: 2 });
    const people = await queue(fx, 8);
    const before = await settled(fx, people, 2);
    expect(before.slice(2).map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6]);

    expect(await flushRoomKeys()).toBeGreaterThan(0);

    // A newcomer after the flush queues behind everyone who was there.
    const late = await person();
    expect(await join(fx, late)).toMatchObject({ state: 'WAITING', position: 7 });
    // Every admitter run after the rebuild finds the two passes still outstanding: nobody else gets in.
    for (let i = 0; i < 3; i++) await svc.get(WaitingRoomService).admit(fx.eventId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await Promise.all(people.map((p) => status(fx, p)));
    expect(after.map((s) => s.state)).toEqual([...Array(2).fill('ADMITTED'), ...Array(6).fill('WAITING')]);
    expect(after.slice(2).map((s) => s.position)).toEqual([1, 2, 3, 4, 5, 6]);
    // The admitted keep the very pass they had.
    expect(after.slice(0, 2).map((s) => s.admissionPass)).toEqual(
      before.slice(0, 2).map((s) => s.admissionPass),
    );
    expect(await view(fx, organizer)).toMatchObject({ waiting: 7, admittedOutstanding: 2 });

    // A pass used before the flush stays used after it.
    expect(ok(await reserve(fx, people[0]!, before[0]!.admissionPass)).reserveTickets.status).toBe('HELD');
    await flushRoomKeys();
    expect(firstError(await reserve(fx, people[0]!, before[0]!.admissionPass))?.code).toBe(
      'ADMISSION_REQUIRED',
    );
    // The freed slot goes to the next in line, and only that one.
    const next = await settled(fx, people.slice(1), 2);
    expect(next.map((s) => s.state)).toEqual(['ADMITTED', 'ADMITTED', ...Array(5).fill('WAITING')]);
    expect(next.slice(2).map((s) => s.position)).toEqual([1, 2, 3, 4, 5]);
    expect((await status(fx, late)).position).toBe(6);
  });
});

describe('waitingRoomUpdated subscription', () => {
  it('pushes the caller’s position and then their admission', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 1, minLimit: 1, maxLimit: 1 });
    const [first, second] = await queue(fx, 2);
    const [firstState] = await settled(fx, [first!, second!], 1);
    const client = createClient({
      url: svc.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${second!.token}` },
      retryAttempts: 0,
    });
    const seen: Array<{ state: string; position: number | null; admissionPass: string | null }> = [];
    const iterator = client.iterate<{ waitingRoomUpdated: (typeof seen)[number] }>({
      query: `subscription($e: ID!) { waitingRoomUpdated(eventId: $e) { state position admissionPass } }`,
      variables: { e: fx.eventId },
    });
    const reading = (async () => {
      for await (const result of iterator) {
        expect(result.errors).toBeUndefined();
        seen.push(result.data!.waitingRoomUpdated);
        if (result.data!.waitingRoomUpdated.state === 'ADMITTED') break;
      }
    })();
    try {
      await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
      expect(seen[0]).toMatchObject({ state: 'WAITING', position: 1, admissionPass: null });
      expect(ok(await reserve(fx, first!, firstState!.admissionPass)).reserveTickets.status).toBe('HELD');
      const usedAt = Date.now();
      await vi.waitFor(() => expect(seen.at(-1)?.state).toBe('ADMITTED'), { timeout: 5_000, interval: 10 });
      expect(Date.now() - usedAt).toBeLessThan(2_000);
      expect(ok(await reserve(fx, second!, seen.at(-1)!.admissionPass!)).reserveTickets.status).toBe('HELD');
      await reading;
    } finally {
      await iterator.return?.();
      await client.dispose();
    }
  });

  it('pushes a new position at most once a second but an admission at once', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await publish(organizer);
    await roomOn(fx, organizer, { initialLimit: 1, minLimit: 1, maxLimit: 1 });
    const people = await queue(fx, 6);
    await settled(fx, people.slice(0, 1), 1);
    const watcher = people[5]!;
    const client = createClient({
      url: svc.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${watcher.token}` },
      retryAttempts: 0,
    });
    const seen: Array<{ state: string; position: number | null; at: string; receivedAt: number }> = [];
    const iterator = client.iterate<{ waitingRoomUpdated: Omit<(typeof seen)[number], 'receivedAt'> }>({
      query: `subscription($e: ID!) { waitingRoomUpdated(eventId: $e) { state position at } }`,
      variables: { e: fx.eventId },
    });
    const reading = (async () => {
      for await (const result of iterator) {
        expect(result.errors).toBeUndefined();
        seen.push({ ...result.data!.waitingRoomUpdated, receivedAt: Date.now() });
        if (result.data!.waitingRoomUpdated.state === 'ADMITTED') break;
      }
    })();
    try {
      await vi.waitFor(() => expect(seen.length).toBeGreaterThan(0), { timeout: 5_000, interval: 20 });
      // The five ahead go through as fast as they can: the watcher's position changes every few tens of ms.
      for (const p of people.slice(0, 5)) {
        const [admitted] = await settled(fx, [p], 1);
        expect(ok(await reserve(fx, p, admitted!.admissionPass)).reserveTickets.status).toBe('HELD');
      }
      const lastReservedAt = Date.now();
      await reading;
      const admitted = seen.at(-1)!;
      expect(admitted.state).toBe('ADMITTED');
      // The admission is not held back by the position interval.
      expect(admitted.receivedAt - lastReservedAt).toBeLessThan(1_000);
      const waiting = seen.filter((s) => s.state === 'WAITING');
      expect(waiting[0]!.position).toBe(5);
      // Within the first second after the first push, no other position is pushed (five changes happened).
      const firstAt = Date.parse(waiting[0]!.at);
      expect(waiting.filter((s) => Date.parse(s.at) - firstAt < 1_000)).toHaveLength(1);
      for (let i = 1; i < waiting.length; i++) {
        expect(Date.parse(waiting[i]!.at) - Date.parse(waiting[i - 1]!.at)).toBeGreaterThanOrEqual(1_000);
        expect(waiting[i]!.position).toBeLessThan(waiting[i - 1]!.position!);
      }
    } finally {
      await iterator.return?.();
      await client.dispose();
    }
  });

  it('stops the admitter once no room is on with anyone waiting (nothing runs at rest)', async () => {
    for (const { fx, organizer } of roomsOn) {
      const token = await issuer.sign(organizer);
      ok(await gql(svc.url, SET, { e: fx.eventId, input: { enabled: false } }, token));
    }
    const service = svc.get(WaitingRoomService) as unknown as {
      active: Set<string>;
      admitter: { stopped: boolean };
    };
    await vi.waitFor(
      () => {
        expect(service.active.size).toBe(0);
        expect(service.admitter.stopped).toBe(true);
      },
      { timeout: 5_000, interval: 50 },
    );
  });
});

/** Replaces the app with one started with these settings (for the rest of the file). */
async function restartWith(overrides: Record<string, string>) {
  await svc.close();
  svc = await startTicket(ctx, issuer, overrides);
}

/** A published event whose room admits one buyer at a time, with two-minute passes. */
async function oneAtATime(organizer: Person) {
  const fx = await publish(organizer);
  await roomOn(fx, organizer, { initialLimit: 1, minLimit: 1, maxLimit: 1, passTtlSeconds: 120 });
  return fx;
}

describe('a buyer let in who walks away', () => {
  // A replica whose admissions hold their slot for one second.
  beforeAll(() => restartWith({ WAITING_ROOM_SLOT_HOLD_SECONDS: '1' }), 60_000);

  it('frees their slot for the next in line after the slot hold; their pass stays valid until it expires', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await oneAtATime(organizer);
    const [away, next] = await queue(fx, 2);
    const [awayState, nextState] = await settled(fx, [away!, next!], 1);
    expect(awayState!.state).toBe('ADMITTED');
    expect(nextState).toMatchObject({ state: 'WAITING', position: 1 });
    const admittedAt = Date.now();
    // Nobody reserves: after about a second the slot goes to the next buyer, without anyone acting.
    await vi.waitFor(async () => expect((await status(fx, next!)).state).toBe('ADMITTED'), {
      timeout: 5_000,
      interval: 50,
    });
    expect(Date.now() - admittedAt).toBeGreaterThanOrEqual(900);
    // One slot: only the newest admission counts as outstanding.
    expect((await view(fx, organizer)).admittedOutstanding).toBe(1);
    // The buyer who walked away can still reserve with their pass (valid for two minutes)...
    expect(ok(await reserve(fx, away!, awayState!.admissionPass)).reserveTickets.status).toBe('HELD');
    // ...once.
    expect(firstError(await reserve(fx, away!, awayState!.admissionPass))).toMatchObject({
      code: 'ADMISSION_REQUIRED',
    });
  });
});

describe('a buyer who leaves the queue', () => {
  // A replica that takes two seconds without a sign of life for a buyer having left.
  beforeAll(() => restartWith({ WAITING_ROOM_PRESENCE_SECONDS: '2' }), 60_000);

  it('is passed over while one who is watching is not, and gets their place back on return', async () => {
    const organizer = await person('ORGANIZER');
    const fx = await oneAtATime(organizer);
    // Arrival order: first (admitted), gone (joins, then nothing), watcher (an open subscription only),
    // poller (reads its status now and then).
    const [first, gone, watcher, poller] = await queue(fx, 4);
    const [firstState] = await settled(fx, [first!], 1);
    const client = createClient({
      url: svc.url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${watcher!.token}` },
      retryAttempts: 0,
    });
    const pushed: string[] = [];
    const iterator = client.iterate<{ waitingRoomUpdated: { state: string } }>({
      query: `subscription($e: ID!) { waitingRoomUpdated(eventId: $e) { state } }`,
      variables: { e: fx.eventId },
    });
    const reading = (async () => {
      for await (const result of iterator) {
        pushed.push(result.data!.waitingRoomUpdated.state);
        if (result.data!.waitingRoomUpdated.state === 'ADMITTED') break;
      }
    })();
    try {
      await vi.waitFor(() => expect(pushed).toEqual(['WAITING']), { timeout: 5_000, interval: 20 });
      // Well past the presence window: only the poller and the watcher showed signs of life meanwhile.
      for (let i = 0; i < 6; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await status(fx, poller!)).state).toBe('WAITING');
      }
      // The first buyer reserves: their slot goes to the watcher; the buyer who left is passed over.
      expect(ok(await reserve(fx, first!, firstState!.admissionPass)).reserveTickets.status).toBe('HELD');
      await vi.waitFor(() => expect(pushed.at(-1)).toBe('ADMITTED'), { timeout: 5_000, interval: 20 });
      await reading;
      const client2 = svc.get(RedisService).client;
      const queueKey = `${ctx.redisPrefix}wroom:{${fx.eventId}}:q`;
      expect(await client2.zrank(queueKey, gone!.id)).toBeNull();
      expect((await view(fx, organizer)).admittedOutstanding).toBe(1);
      // The poller is now first in line; the buyer who left comes back and is put back at their place, ahead.
      expect(await status(fx, poller!)).toMatchObject({ state: 'WAITING', position: 1 });
      expect(await status(fx, gone!)).toMatchObject({ state: 'WAITING', position: 1 });
      expect(await status(fx, poller!)).toMatchObject({ state: 'WAITING', position: 2 });
    } finally {
      await iterator.return?.();
      await client.dispose();
    }
  });
});
