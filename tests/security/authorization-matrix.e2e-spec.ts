import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CookieSession,
  postGraphql,
  STRONG_PASSWORD,
  uniqueEmail,
  type GraphqlAnswer,
} from '../support/graphql-client';
import { waitFor } from '../support/polling';
import { startStack, type Stack } from '../support/stack';

// The authorization matrix: every operation of every subgraph, asked through the gateway by every role that
// must not get it, answers a refusal (the code below, no data) and changes nothing; every read is also asked by
// a role that may, so a refusal that comes from a broken query cannot pass for authorization. Entity
// references (`_entities`) are sent straight to each subgraph with each role's cookie.

type Role = 'organizer' | 'otherOrganizer' | 'staff' | 'buyer' | 'recipient' | 'stranger' | 'anonymous';
const ROLES: Role[] = ['organizer', 'otherOrganizer', 'staff', 'buyer', 'recipient', 'stranger', 'anonymous'];

const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { user { id } } }`;

interface Fixture {
  eventId: string;
  draftId: string;
  typeId: string;
  draftTypeId: string;
  reservationId: string;
  orderId: string;
  ticketId: string;
  keptTicketId: string;
  transferId: string;
  qrToken: string;
  staffEmail: string;
  buyerId: string;
}

interface Row {
  /** The operation, as `subgraph.field`. */
  name: string;
  query: string;
  variables: (f: Fixture) => Record<string, unknown>;
  /** Roles that may run it. Reads are run by each of them as the control; mutations are not (they change state). */
  allowed: Role[];
  mutation?: boolean;
  /** What a refused role is told, where the words matter (staff refused an organizer-only operation). */
  refusal?: Partial<Record<Role, RegExp>>;
}

const rows: Row[] = [
  // auth
  {
    name: 'auth.me',
    query: `{ me { id email } }`,
    variables: () => ({}),
    allowed: ROLES.filter((r) => r !== 'anonymous'),
  },
  // event
  {
    name: 'event.event (a draft)',
    query: `query Q($id: ID!) { event(id: $id) { id title } }`,
    variables: (f) => ({ id: f.draftId }),
    allowed: ['organizer'],
  },
  {
    name: 'event.myEvents',
    query: `{ myEvents { id } }`,
    variables: () => ({}),
    allowed: ['organizer', 'otherOrganizer'],
  },
  {
    name: 'event.updateEvent',
    query: `mutation M($id: ID!) { updateEvent(id: $id, input: { title: "Hijacked" }) { id title } }`,
    variables: (f) => ({ id: f.eventId }),
    allowed: ['organizer'],
    mutation: true,
  },
  {
    name: 'event.publishEvent (a draft)',
    query: `mutation M($id: ID!) { publishEvent(id: $id) { id status } }`,
    variables: (f) => ({ id: f.draftId }),
    allowed: ['organizer'],
    mutation: true,
  },
  {
    name: 'event.cancelEvent',
    query: `mutation M($id: ID!) { cancelEvent(id: $id, reason: "nope") { id status } }`,
    variables: (f) => ({ id: f.eventId }),
    allowed: ['organizer'],
    mutation: true,
  },
  {
    name: 'event.addTicketType',
    query: `mutation M($id: ID!) {
      addTicketType(eventId: $id, input: { name: "Free", priceMinor: 0, currency: "EUR", kind: GENERAL_ADMISSION, quantity: 5 }) { id }
    }`,
    variables: (f) => ({ id: f.eventId }),
    allowed: ['organizer'],
    mutation: true,
  },
  {
    name: 'event.updateTicketType',
    query: `mutation M($id: ID!) { updateTicketType(id: $id, input: { quantity: 500 }) { id } }`,
    variables: (f) => ({ id: f.typeId }),
    allowed: ['organizer'],
    mutation: true,
  },
  {
    name: 'event.addEventStaff',
    query: `mutation M($id: ID!, $email: String!) { addEventStaff(eventId: $id, email: $email) { id } }`,
    variables: (f) => ({ id: f.eventId, email: f.staffEmail }),
    allowed: ['organizer'],
    mutation: true,
  },
  {
    name: 'event.removeEventStaff',
    query: `mutation M($id: ID!, $email: String!) { removeEventStaff(eventId: $id, email: $email) { id } }`,
    variables: (f) => ({ id: f.eventId, email: f.staffEmail }),
    allowed: ['organizer'],
    mutation: true,
  },
  // ticket
  {
    name: 'ticket.reservation',
    query: `query Q($id: ID!) { reservation(id: $id) { id status } }`,
    variables: (f) => ({ id: f.reservationId }),
    allowed: ['buyer'],
  },
  {
    name: 'ticket.releaseReservation',
    query: `mutation M($id: ID!) { releaseReservation(id: $id) { id status } }`,
    variables: (f) => ({ id: f.reservationId }),
    allowed: ['buyer'],
    mutation: true,
  },
  {
    name: 'ticket.checkout (someone else’s hold)',
    query: `mutation M($input: CheckoutInput!) { checkout(input: $input) { id status } }`,
    variables: (f) => ({
      input: { reservationId: f.reservationId, paymentToken: 'tok_success', idempotencyKey: randomUUID() },
    }),
    allowed: ['buyer'],
    mutation: true,
  },
  {
    name: 'ticket.order',
    query: `query Q($id: ID!) { order(id: $id) { id tickets { id qrToken } } }`,
    variables: (f) => ({ id: f.orderId }),
    allowed: ['buyer'],
  },
  {
    name: 'ticket.ticket',
    query: `query Q($id: ID!) { ticket(id: $id) { id holderId } }`,
    variables: (f) => ({ id: f.keptTicketId }),
    allowed: ['buyer', 'organizer'],
  },
  {
    name: 'ticket.ticketDisplayCode',
    query: `query Q($id: ID!) { ticketDisplayCode(id: $id) { code } }`,
    variables: (f) => ({ id: f.keptTicketId }),
    allowed: ['buyer'],
  },
  {
    name: 'ticket.ticketRevocations',
    query: `query Q($id: ID!) { ticketRevocations(eventId: $id) { ticketId } }`,
    variables: (f) => ({ id: f.eventId }),
    allowed: ['organizer', 'staff'],
  },
  {
    name: 'ticket.salesSummary',
    query: `query Q($id: ID!) { salesSummary(eventId: $id) { eventId } }`,
    variables: (f) => ({ id: f.eventId }),
    allowed: ['organizer'],
    // Not "not staff": they are staff; the operation is the organizer's.
    refusal: { staff: /^Only the event's organizer or an admin may do this$/ },
  },
  {
    name: 'ticket.offerTransfer (someone else’s ticket)',
    query: `mutation M($id: ID!, $to: String!) { offerTransfer(ticketId: $id, toEmail: $to) { id } }`,
    variables: (f) => ({ id: f.keptTicketId, to: uniqueEmail('thief') }),
    allowed: ['buyer'],
    mutation: true,
  },
  {
    name: 'ticket.acceptTransfer (offered to someone else)',
    query: `mutation M($id: ID!) { acceptTransfer(transferId: $id) { id status } }`,
    variables: (f) => ({ id: f.transferId }),
    allowed: ['recipient'],
    mutation: true,
  },
  {
    name: 'ticket.declineTransfer (offered to someone else)',
    query: `mutation M($id: ID!) { declineTransfer(transferId: $id) { id status } }`,
    variables: (f) => ({ id: f.transferId }),
    allowed: ['recipient'],
    mutation: true,
  },
  {
    name: 'ticket.cancelTransfer (offered by someone else)',
    query: `mutation M($id: ID!) { cancelTransfer(transferId: $id) { id status } }`,
    variables: (f) => ({ id: f.transferId }),
    allowed: ['buyer'],
    mutation: true,
  },
  // checkin
  {
    name: 'checkin.scanTicket',
    query: `mutation M($input: ScanTicketInput!) { scanTicket(input: $input) { result } }`,
    variables: (f) => ({
      input: { eventId: f.eventId, code: f.qrToken, gateId: 'north', deviceId: 'dev-1', nonce: randomUUID() },
    }),
    allowed: ['organizer', 'staff'],
    mutation: true,
  },
  {
    name: 'checkin.syncScans',
    query: `mutation M($input: SyncScansInput!) { syncScans(input: $input) { accepted } }`,
    variables: (f) => ({
      input: {
        eventId: f.eventId,
        scans: [
          {
            code: f.qrToken,
            gateId: 'north',
            deviceId: 'dev-1',
            nonce: randomUUID(),
            scannedAt: new Date(Date.now() - 60_000).toISOString(),
          },
        ],
      },
    }),
    allowed: ['organizer', 'staff'],
    mutation: true,
  },
  {
    name: 'checkin.scanLog',
    query: `query Q($id: ID!) { scanLog(eventId: $id) { entries { id } } }`,
    variables: (f) => ({ id: f.eventId }),
    allowed: ['organizer'],
  },
  {
    name: 'checkin.attendance',
    query: `query Q($id: ID!) { attendance(eventId: $id) { admitted } }`,
    variables: (f) => ({ id: f.eventId }),
    allowed: ['organizer'],
  },
  {
    name: 'checkin.offlineBundle',
    query: `query Q($id: ID!) { offlineBundle(eventId: $id) { tickets { ticketId holderName } } }`,
    variables: (f) => ({ id: f.eventId }),
    allowed: ['organizer', 'staff'],
  },
  // pricing
  {
    name: 'pricing.pricingSettings',
    query: `query Q($id: ID!) { pricingSettings(ticketTypeId: $id) { ticketTypeId } }`,
    variables: (f) => ({ id: f.typeId }),
    allowed: ['organizer'],
  },
  {
    name: 'pricing.priceHistory',
    query: `query Q($id: ID!) { priceHistory(ticketTypeId: $id) { version } }`,
    variables: (f) => ({ id: f.typeId }),
    allowed: ['organizer'],
  },
  {
    name: 'pricing.setPricingPolicy',
    query: `mutation M($id: ID!) {
      setPricingPolicy(ticketTypeId: $id, input: { kind: FIXED, currency: "EUR", floor: 1, ceiling: 1 }) { ticketTypeId }
    }`,
    variables: (f) => ({ id: f.typeId }),
    allowed: ['organizer'],
    mutation: true,
  },
];

/** The codes a refused role may get: who you are not (anonymous), or what you may not see or do. */
const REFUSED = { anonymous: ['UNAUTHENTICATED'], signedIn: ['FORBIDDEN', 'NOT_FOUND'] };

function refusedCodes(role: Role): string[] {
  return role === 'anonymous' ? REFUSED.anonymous : REFUSED.signedIn;
}

describe('authorization matrix: every operation of every subgraph, every role, through the gateway', () => {
  let stack: Stack;
  const sessions = new Map<Role, CookieSession>();
  const ids = new Map<Role, string>();
  const emails = new Map<Role, string>();
  let f: Fixture;
  let seq = 150;
  const tag = `authz${randomBytes(3).toString('hex')}`;

  const as = (role: Role) => sessions.get(role)!;
  const ok = <T = any>(answer: GraphqlAnswer<T>): T => {
    expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
    return answer.body.data as T;
  };
  const cookieOf = (role: Role) =>
    [...(sessions.get(role)?.cookies ?? new Map())].map(([k, v]) => `${k}=${v}`).join('; ');

  beforeAll(async () => {
    stack = await startStack('authz', { checkin: true, pricing: true });
    for (const role of ROLES) {
      const session = new CookieSession(stack.graphqlUrl, {
        origin: 'http://app.test',
        'apollo-require-preflight': 'true',
        'x-forwarded-for': `203.0.113.${seq++}`,
      });
      sessions.set(role, session);
      if (role === 'anonymous') continue;
      const email = uniqueEmail(`${tag}-${role.toLowerCase()}`);
      const organizerRole = role === 'organizer' || role === 'otherOrganizer';
      const answer = await session.post(SIGN_UP, {
        input: {
          email,
          password: STRONG_PASSWORD,
          name: `The ${role}`,
          role: organizerRole ? 'ORGANIZER' : 'ATTENDEE',
        },
      });
      ids.set(role, ok(answer).signUp.user.id);
      emails.set(role, email);
    }

    const org = as('organizer');
    const startsAt = new Date(Date.now() + 60 * 60_000);
    const eventInput = (title: string) => ({
      title,
      category: 'MUSIC',
      venue: { name: 'Matrix Hall', address: '1 Grid Road', city: 'Nantes', capacity: 100 },
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3 * 3600_000).toISOString(),
      timeZone: 'Europe/Paris',
      transferPolicy: { allowed: true },
    });
    const create = `mutation C($input: CreateEventInput!) { createEvent(input: $input) { id } }`;
    const addType = `mutation T($id: ID!) {
      addTicketType(eventId: $id, input: { name: "GA", priceMinor: 2000, currency: "EUR", kind: GENERAL_ADMISSION, quantity: 10 }) {
        ticketTypes { id }
      }
    }`;
    const eventId = ok(await org.post(create, { input: eventInput(`Matrix ${tag}`) })).createEvent.id;
    const typeId = ok(await org.post(addType, { id: eventId })).addTicketType.ticketTypes.at(-1).id;
    const draftId = ok(await org.post(create, { input: eventInput(`Draft ${tag}`) })).createEvent.id;
    const draftTypeId = ok(await org.post(addType, { id: draftId })).addTicketType.ticketTypes.at(-1).id;
    ok(await org.post(`mutation P($id: ID!) { publishEvent(id: $id) { id } }`, { id: eventId }));
    ok(
      await org.post(
        `mutation S($id: ID!, $email: String!) { addEventStaff(eventId: $id, email: $email) { id } }`,
        {
          id: eventId,
          email: emails.get('staff'),
        },
      ),
    );

    const buyer = as('buyer');
    const reserve = `mutation R($input: ReserveTicketsInput!) { reserveTickets(input: $input) { id } }`;
    const reservation = await waitFor(
      'the ticket service to learn the event',
      () => buyer.post(reserve, { input: { ticketTypeId: typeId, quantity: 2 } }),
      (a) => !a.body.errors,
      { timeoutMs: 30_000 },
    );
    const paidId = reservation.body.data.reserveTickets.id;
    const order = ok(
      await buyer.post(
        `mutation K($input: CheckoutInput!) { checkout(input: $input) { id tickets { id qrToken } } }`,
        { input: { reservationId: paidId, paymentToken: 'tok_success', idempotencyKey: randomUUID() } },
      ),
    ).checkout;
    const openHold = ok(
      await buyer.post(reserve, { input: { ticketTypeId: typeId, quantity: 1 } }),
    ).reserveTickets;
    const [moving, kept] = order.tickets as Array<{ id: string; qrToken: string }>;
    const transfer = ok(
      await buyer.post(
        `mutation O($id: ID!, $to: String!) { offerTransfer(ticketId: $id, toEmail: $to) { id } }`,
        {
          id: moving!.id,
          to: emails.get('recipient'),
        },
      ),
    ).offerTransfer;
    f = {
      eventId,
      draftId,
      typeId,
      draftTypeId,
      reservationId: openHold.id,
      orderId: order.id,
      ticketId: moving!.id,
      keptTicketId: kept!.id,
      transferId: transfer.id,
      qrToken: kept!.qrToken,
      staffEmail: emails.get('staff')!,
      buyerId: ids.get('buyer')!,
    };
    // Check-in and pricing learn the event and its tickets over Kafka: the controls below need them.
    await waitFor(
      'check-in to know the ticket',
      () =>
        as('staff').post(`query B($id: ID!) { offlineBundle(eventId: $id) { tickets { ticketId } } }`, {
          id: eventId,
        }),
      (a) => (a.body.data?.offlineBundle?.tickets ?? []).some((t: any) => t.ticketId === kept!.id),
      { timeoutMs: 30_000 },
    );
    await waitFor(
      'pricing to know the ticket type',
      () =>
        org.post(`query P($id: ID!) { pricingSettings(ticketTypeId: $id) { ticketTypeId } }`, { id: typeId }),
      (a) => !a.body.errors,
      { timeoutMs: 30_000 },
    );
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  for (const row of rows) {
    it(`${row.name}: refused for ${ROLES.filter((r) => !row.allowed.includes(r)).join(', ')}${row.mutation ? '' : `; answered for ${row.allowed.join(', ')}`}`, async () => {
      for (const role of ROLES) {
        // The allowed roles do not run the mutations here: the last test checks nothing changed, then runs the controls.
        if (row.mutation && row.allowed.includes(role)) continue;
        const answer = await as(role).post(row.query, row.variables(f));
        const field = Object.keys(answer.body.data ?? {})[0];
        if (row.allowed.includes(role)) {
          expect(
            answer.body.errors,
            `${row.name} as ${role}: ${JSON.stringify(answer.body.errors)}`,
          ).toBeUndefined();
          expect(answer.body.data, `${row.name} as ${role}`).toBeTruthy();
          if (row.name === 'event.event (a draft)') expect(answer.body.data.event?.id).toBe(f.draftId);
          continue;
        }
        const what = `${row.name} as ${role}: ${JSON.stringify(answer.body)}`;
        // A draft is simply not found for others (null), never an error that confirms it exists.
        if (row.name === 'event.event (a draft)') {
          expect(answer.body.data?.event ?? null, what).toBeNull();
          continue;
        }
        expect(answer.body.errors?.length, what).toBeGreaterThan(0);
        expect(refusedCodes(role), what).toContain(answer.body.errors![0]!.extensions?.code);
        const told = row.refusal?.[role];
        if (told) expect(answer.body.errors![0]!.message, what).toMatch(told);
        expect(field === undefined || answer.body.data?.[field] == null, what).toBe(true);
      }
    });
  }

  it('after all the refused attempts nothing changed: event, staff, hold, order, tickets, transfer, scans, policy', async () => {
    const org = as('organizer');
    const event = ok(
      await org.post(`query E($id: ID!) { event(id: $id) { title status ticketTypes { id quantity } } }`, {
        id: f.eventId,
      }),
    ).event;
    expect(event).toEqual({
      title: `Matrix ${tag}`,
      status: 'PUBLISHED',
      ticketTypes: [{ id: f.typeId, quantity: 10 }],
    });
    const draft = ok(
      await org.post(`query E($id: ID!) { event(id: $id) { status } }`, { id: f.draftId }),
    ).event;
    expect(draft.status).toBe('DRAFT');
    const bundle = ok(
      await as('staff').post(`query B($id: ID!) { offlineBundle(eventId: $id) { tickets { ticketId } } }`, {
        id: f.eventId,
      }),
    ).offlineBundle;
    expect(bundle.tickets.length).toBeGreaterThan(0);

    const buyer = as('buyer');
    expect(
      ok(await buyer.post(`query R($id: ID!) { reservation(id: $id) { status } }`, { id: f.reservationId }))
        .reservation,
    ).toEqual({
      status: 'HELD',
    });
    const myTickets = ok(await buyer.post(`{ myTickets { id generation status } }`)).myTickets;
    expect(myTickets).toEqual(
      expect.arrayContaining([
        { id: f.ticketId, generation: 1, status: 'VALID' },
        { id: f.keptTicketId, generation: 1, status: 'VALID' },
      ]),
    );
    const transfers = ok(await buyer.post(`{ myTransfers { id status } }`)).myTransfers;
    expect(transfers).toEqual([{ id: f.transferId, status: 'PENDING' }]);
    expect(ok(await buyer.post(`{ myOrders { id } }`)).myOrders).toEqual([{ id: f.orderId }]);
    for (const role of ['stranger', 'recipient', 'staff', 'otherOrganizer'] as const) {
      expect(ok(await as(role).post(`{ myOrders { id } }`)).myOrders, role).toEqual([]);
    }

    const sales = ok(
      await org.post(`query S($id: ID!) { salesSummary(eventId: $id) { ticketTypes { sold held } } }`, {
        id: f.eventId,
      }),
    ).salesSummary;
    expect(sales.ticketTypes).toEqual([{ sold: 2, held: 1 }]);
    const scans = ok(
      await org.post(`query L($id: ID!) { scanLog(eventId: $id) { entries { id } } }`, { id: f.eventId }),
    ).scanLog;
    expect(scans.entries).toEqual([]);
    // The refused policy was FIXED with floor = ceiling = 1: the stored one is still the organizer's.
    const settings = ok(
      await org.post(
        `query P($id: ID!) { pricingSettings(ticketTypeId: $id) { basePrice floor ceiling price { amount } } }`,
        {
          id: f.typeId,
        },
      ),
    ).pricingSettings;
    expect(settings).toMatchObject({ basePrice: 2000, price: { amount: 2000 } });
    expect([settings.floor, settings.ceiling]).not.toEqual([1, 1]);

    // The controls for the mutations: the allowed roles can do what the others could not.
    const scan = ok(
      await as('staff').post(
        `mutation M($input: ScanTicketInput!) { scanTicket(input: $input) { result } }`,
        {
          input: {
            eventId: f.eventId,
            code: f.qrToken,
            gateId: 'north',
            deviceId: 'dev-1',
            nonce: randomUUID(),
          },
        },
      ),
    ).scanTicket;
    expect(scan.result).toBe('ACCEPTED');
    const cancelled = ok(
      await buyer.post(`mutation C($id: ID!) { cancelTransfer(transferId: $id) { status } }`, {
        id: f.transferId,
      }),
    ).cancelTransfer;
    expect(cancelled.status).toBe('CANCELLED');
  });

  describe('entity references sent straight to each subgraph', () => {
    const direct = (url: string, role: Role, query: string, variables: Record<string, unknown>) =>
      postGraphql(`${url}/graphql`, query, variables, {
        headers: { cookie: cookieOf(role), 'apollo-require-preflight': 'true' },
      });

    it("auth: a User's email resolves for the account itself only", async () => {
      const query = `query U($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }`;
      const r = [{ __typename: 'User', id: f.buyerId }];
      const own = await direct(stack.auth.url, 'buyer', query, { r });
      expect(own.body.data?._entities).toEqual([{ id: f.buyerId, email: emails.get('buyer') }]);
      for (const role of ['stranger', 'organizer', 'anonymous'] as const) {
        const other = await direct(stack.auth.url, role, query, { r });
        expect(JSON.stringify(other.body), role).not.toContain(emails.get('buyer')!);
      }
    });

    it('event: a draft Event resolves for its organizer only', async () => {
      const query = `query E($r: [_Any!]!) { _entities(representations: $r) { ... on Event { id title status } } }`;
      const r = [{ __typename: 'Event', id: f.draftId }];
      const own = await direct(stack.event.url, 'organizer', query, { r });
      expect(own.body.data?._entities).toEqual([{ id: f.draftId, title: `Draft ${tag}`, status: 'DRAFT' }]);
      for (const role of ['otherOrganizer', 'stranger', 'anonymous'] as const) {
        const other = await direct(stack.event.url, role, query, { r });
        expect(other.body.data?._entities ?? [null], role).toEqual([null]);
        expect(JSON.stringify(other.body), role).not.toContain(`Draft ${tag}`);
      }
    });

    it("pricing and ticket: a draft's TicketType has no price and no availability for anyone, a published one's are public", async () => {
      const priceQuery = `query P($r: [_Any!]!) { _entities(representations: $r) { ... on TicketType { id price { amount currency } } } }`;
      const stockQuery = `query S($r: [_Any!]!) { _entities(representations: $r) { ... on TicketType { id availability { capacity remaining } takenSeats } } }`;
      const r = [
        { __typename: 'TicketType', id: f.draftTypeId },
        { __typename: 'TicketType', id: f.typeId },
      ];
      for (const role of ROLES) {
        const priced = await direct(stack.pricing!.url, role, priceQuery, { r });
        expect(priced.body.errors, role).toBeUndefined();
        const [draft, published] = priced.body.data?._entities as Array<{ price: unknown } | null>;
        // The draft is unknown to pricing (drafts never leave the event service): no price, whoever asks.
        expect(draft?.price ?? null, role).toBeNull();
        expect(published?.price, role).toMatchObject({ currency: expect.any(String) });

        const stocked = await direct(stack.ticket!.url, role, stockQuery, { r });
        expect(stocked.body.errors, role).toBeUndefined();
        const [draftStock, publishedStock] = stocked.body.data?._entities as Array<{
          availability: unknown;
          takenSeats: unknown[];
        } | null>;
        expect(draftStock?.availability ?? null, role).toBeNull();
        expect(draftStock?.takenSeats ?? [], role).toEqual([]);
        expect(publishedStock?.availability, role).toMatchObject({ capacity: expect.any(Number) });
      }
    });

    it("ticket: someone else's Order and Ticket resolve to null, and no QR leaks", async () => {
      const query = `query T($r: [_Any!]!) {
        _entities(representations: $r) { ... on Order { id tickets { qrToken } } ... on Ticket { id qrToken } }
      }`;
      const r = [
        { __typename: 'Order', id: f.orderId },
        { __typename: 'Ticket', id: f.keptTicketId },
      ];
      const own = await direct(stack.ticket!.url, 'buyer', query, { r });
      expect(JSON.stringify(own.body.data)).toContain(f.qrToken);
      for (const role of ['stranger', 'staff', 'otherOrganizer', 'recipient', 'anonymous'] as const) {
        const other = await direct(stack.ticket!.url, role, query, { r });
        expect(other.body.data?._entities ?? [null, null], role).toEqual([null, null]);
        expect(JSON.stringify(other.body), role).not.toContain(f.qrToken);
      }
    });
  });
});
