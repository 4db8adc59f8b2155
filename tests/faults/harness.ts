// The platform under test for the fault suite: ticket, pricing, check-in and the gateway from their built
// dist/, each a supervised child process on the private stack (a process that exits is started again on
// its port, as Kubernetes would, and the restart is counted), plus the client side: a small flash sale
// whose every operation is logged for the history checker, scans at two gates, and the final state read
// straight from each service's MongoDB database.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { newEnvelope, TOPICS } from '@ticketing/contracts';
import {
  createTestContext,
  createTestIssuer,
  ensureTopics,
  freePort,
  startService,
  waitForExit,
  type RunningService,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import { classifyError, type FinalState, type Op, type Outcome } from './history';
import type { PrivateStack } from './private-stack';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export type ServiceName = 'ticket' | 'pricing' | 'checkin' | 'gateway';
export const SERVICES: ServiceName[] = ['ticket', 'pricing', 'checkin', 'gateway'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const oid = () => new mongoose.Types.ObjectId().toHexString();

/** A service process that is started again when it exits (counted), unless it is being stopped. */
export class Supervised {
  current?: RunningService;
  restarts = 0;
  exits: Array<number | NodeJS.Signals> = [];
  private stopping = false;
  private restarting?: Promise<void>;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process; `extra` variables (the crash hook) apply to this process only, not to restarts. */
  async start(extra: Record<string, string> = {}): Promise<void> {
    const service = await startService(
      join(REPO_ROOT, 'services', this.name),
      { ...this.env, ...extra },
      // Like a Kubernetes readiness probe: a slow start (a consumer group waiting for a dead member to time
      // out, a loaded machine) is waited for, not killed.
      { port: this.port, readyTimeoutMs: 150_000 },
    );
    this.current = service;
    void waitForExit(service.child).then((how) => this.onExit(service, how));
  }

  private onExit(service: RunningService, how: number | NodeJS.Signals): void {
    if (this.current !== service || this.stopping) return;
    this.exits.push(how);
    this.restarts += 1;
    console.error(
      `[faults] ${this.name} exited (${how}); its last output:\n${service.output().slice(-1500)}`,
    );
    // Like a pod restart: a short back-off, then the same configuration without the one-off variables.
    this.restarting = (async () => {
      for (let attempt = 1; !this.stopping; attempt++) {
        await sleep(Math.min(500 * 2 ** (attempt - 1), 8000));
        if (this.stopping) return;
        try {
          await this.start();
          return;
        } catch (error) {
          // A start that fails (e.g. its database is still down) is tried again, counted as a restart.
          this.restarts += 1;
          this.exits.push('start-failed' as NodeJS.Signals);
          console.error(`[faults] ${this.name} start ${attempt} failed: ${String(error).slice(0, 300)}`);
        }
      }
    })();
  }

  /** Restarts in place with extra variables for the new process (SIGTERM first). */
  async restartWith(extra: Record<string, string>): Promise<void> {
    this.stopping = true;
    await this.current?.stop(15_000);
    this.stopping = false;
    await this.start(extra);
  }

  /** SIGTERM under load: the supervisor starts it again; resolves with how it exited. */
  async sigterm(): Promise<number | NodeJS.Signals> {
    const service = this.current;
    if (!service) throw new Error(`${this.name} is not running`);
    const exited = waitForExit(service.child);
    service.child.kill('SIGTERM');
    return exited;
  }

  async settled(): Promise<void> {
    await this.restarting;
  }

  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(3000) });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.restarting?.catch(() => undefined);
    await this.current?.stop(15_000);
  }
}

export interface Platform {
  ctx: TestContext;
  issuer: TestIssuer;
  services: Record<ServiceName, Supervised>;
  db: Record<'ticket' | 'pricing' | 'checkin', Connection>;
  graphqlUrl: string;
  stop(): Promise<void>;
}

export async function startPlatform(stack: PrivateStack): Promise<Platform> {
  const ctx = createTestContext('faults');
  ctx.env = {
    ...ctx.env,
    MONGO_URL: stack.mongoUrl,
    REDIS_URL: stack.redisUrl,
    KAFKA_BROKERS: stack.kafkaBrokers,
    LOG_LEVEL: 'error',
  };
  await ensureTopics(ctx);
  const issuer = await createTestIssuer();
  const ports = {
    ticket: await freePort(),
    pricing: await freePort(),
    checkin: await freePort(),
    gateway: await freePort(),
  };
  const database = (service: string) => `${ctx.dbName}_${service}`.slice(0, 60);
  const common = { ...ctx.env, AUTH_JWKS_URL: issuer.jwksUrl };
  const displayKey = randomBytes(32).toString('base64url');
  const signingKey = generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
  const closed = `http://127.0.0.1:9/graphql`;
  const services: Record<ServiceName, Supervised> = {
    ticket: new Supervised('ticket', ports.ticket, {
      ...common,
      MONGO_DB: database('ticket'),
      TICKET_SIGNING_KEY: signingKey,
      DISPLAY_CODE_MASTER_KEY: displayKey,
      PAYMENT_PROVIDER: 'test',
      ALLOW_TEST_PAYMENTS: 'true',
      // Short holds and recovery, so a run settles in seconds: abandoned holds expire, captured payments finish.
      HOLD_TTL_SECONDS: '12',
      PAYMENT_TIMEOUT_MS: '2000',
      RECOVERY_AFTER_MS: '5000',
    }),
    pricing: new Supervised('pricing', ports.pricing, {
      ...common,
      MONGO_DB: database('pricing'),
    }),
    checkin: new Supervised('checkin', ports.checkin, {
      ...common,
      MONGO_DB: database('checkin'),
      TICKET_URL: `http://127.0.0.1:${ports.ticket}/graphql`,
      DISPLAY_CODE_MASTER_KEY: displayKey,
    }),
    gateway: new Supervised('gateway', ports.gateway, {
      ...common,
      AUTH_URL: closed,
      EVENT_URL: closed,
      TICKET_URL: `http://127.0.0.1:${ports.ticket}/graphql`,
      PRICING_URL: `http://127.0.0.1:${ports.pricing}/graphql`,
      CHECKIN_URL: `http://127.0.0.1:${ports.checkin}/graphql`,
      RATE_LIMIT_PER_MINUTE: '0',
    }),
  };
  try {
    await services.ticket.start();
    // allSettled, not all: when one start fails, the others are still starting; stopping them before they
    // are up would miss them and leave them running after the suite.
    const started = await Promise.allSettled([
      services.pricing.start(),
      services.checkin.start(),
      services.gateway.start(),
    ]);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (error) {
    // Nothing of a failed start may outlive the suite.
    await Promise.all(SERVICES.map((s) => services[s].stop().catch(() => undefined)));
    await issuer.close();
    throw error;
  }
  const connect = (service: string) =>
    mongoose
      .createConnection(stack.mongoUrl, { dbName: database(service), serverSelectionTimeoutMS: 30_000 })
      .asPromise();
  const db = {
    ticket: await connect('ticket'),
    pricing: await connect('pricing'),
    checkin: await connect('checkin'),
  };
  return {
    ctx,
    issuer,
    services,
    db,
    graphqlUrl: `${services.gateway.url}/graphql`,
    async stop() {
      await Promise.all(SERVICES.map((s) => services[s].stop().catch(() => undefined)));
      await Promise.all(Object.values(db).map((c) => c.close().catch(() => undefined)));
      await issuer.close();
    },
  };
}

// ---- the event on sale -------------------------------------------------------------------------------

export interface SaleEvent {
  eventId: string;
  typeId: string;
  stock: number;
  organizer: { id: string; email: string; role: string; name: string };
  staff: { id: string; email: string; role: string; name: string };
  staffToken: string;
}

/** Publishes an event with one general-admission type (tiered price) as the event service would, and waits until ticket, pricing and check-in know it. */
export async function publishEvent(p: Platform, stock: number): Promise<SaleEvent> {
  const organizer = { id: oid(), email: `org-${oid()}@faults.test`, role: 'ORGANIZER', name: 'Fault Org' };
  const staff = { id: oid(), email: `staff-${oid()}@faults.test`, role: 'STAFF', name: 'Gate Staff' };
  const eventId = oid();
  const typeId = oid();
  const now = Date.now();
  const day = 24 * 3600_000;
  const salesStart = new Date(now - day).toISOString();
  const salesEnd = new Date(now + 50 * 60_000).toISOString();
  const envelopes = [
    newEnvelope(
      'event.published',
      eventId,
      {
        eventId,
        organizerId: organizer.id,
        title: 'Fault Flash Sale',
        category: 'music',
        // Doors open before the start (DOORS_OPEN_MINUTES, default 120): scans are admitted now.
        startsAt: new Date(now + 60 * 60_000).toISOString(),
        endsAt: new Date(now + 3 * 3600_000).toISOString(),
        timezone: 'UTC',
        venue: { name: 'Fault Hall', city: 'Berlin', capacity: stock },
        salesStart,
        salesEnd,
        transferPolicy: { allowed: true, deadline: null },
        ticketTypes: [
          {
            ticketTypeId: typeId,
            eventId,
            name: 'Standing',
            kind: 'GENERAL_ADMISSION',
            quantity: stock,
            basePrice: { amount: 5000, currency: 'EUR' },
            perOrderMax: 2,
            perBuyerMax: 6,
            salesStart,
            salesEnd,
            // Prices move during the sale: a new tier after a third of the stock.
            pricingPolicy: {
              kind: 'TIERED',
              tiers: [
                { price: { amount: 5000, currency: 'EUR' }, untilSold: Math.max(1, Math.floor(stock / 3)) },
                { price: { amount: 6500, currency: 'EUR' } },
              ],
            },
            aggregateVersion: 1,
          },
        ],
        status: 'PUBLISHED',
        publishedAt: new Date(now).toISOString(),
        aggregateVersion: 1,
      },
      { source: 'event' },
    ),
    newEnvelope(
      'event.staff-changed',
      eventId,
      {
        eventId,
        organizerId: organizer.id,
        staff: [{ userId: staff.id, email: staff.email }],
        changedAt: new Date(now).toISOString(),
        aggregateVersion: 1,
      },
      { source: 'event' },
    ),
  ];
  const kafka = new Kafka({
    clientId: 'faults',
    brokers: p.ctx.env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: p.ctx.topicPrefix + TOPICS.events,
    messages: envelopes.map((e) => ({ key: eventId, value: JSON.stringify(e) })),
  });
  await producer.disconnect();
  await waitUntil('ticket, pricing and check-in learn the event', 60_000, async () => {
    const inv = await p.db.ticket.collection('inventory').findOne({ _id: typeId as never });
    const price = await p.db.pricing.collection('ticket_prices').findOne({ _id: typeId as never });
    const replica = await p.db.checkin.collection('event_replicas').findOne({ _id: eventId as never });
    return Boolean(inv && price?.price && replica && JSON.stringify(replica).includes(staff.id));
  });
  return {
    eventId,
    typeId,
    stock,
    organizer,
    staff,
    staffToken: await p.issuer.sign(staff, { expiresIn: 3600 }),
  };
}

export async function waitUntil(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await sleep(250);
  }
  throw new Error(`timed out waiting until ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

// ---- the client side ---------------------------------------------------------------------------------

interface GqlAnswer {
  outcome: Outcome;
  data?: Record<string, unknown>;
  code?: string;
}

/** One GraphQL request, sorted into ok / fail / unknown (timeout, connection lost, 5xx, an error that may have written). */
async function gql(
  url: string,
  token: string,
  query: string,
  variables: unknown,
  timeoutMs = 15_000,
): Promise<GqlAnswer> {
  let res: Response;
  let body: { data?: Record<string, unknown> | null; errors?: Array<{ extensions?: { code?: string } }> };
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = (await res.json()) as typeof body;
  } catch (error) {
    return { outcome: 'unknown', code: (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection' };
  }
  const code = body.errors?.[0]?.extensions?.code;
  if (body.errors?.length || !body.data)
    return { outcome: classifyError(code, res.status), code: code ?? `http ${res.status}` };
  if (res.status >= 500) return { outcome: 'unknown', code: `http ${res.status}` };
  return { outcome: 'ok', data: body.data };
}

const RESERVE = 'mutation($i: ReserveTicketsInput!) { reserveTickets(input: $i) { id } }';
const CHECKOUT = 'mutation($i: CheckoutInput!) { checkout(input: $i) { id status tickets { id qrToken } } }';
const SCAN = 'mutation($i: ScanTicketInput!) { scanTicket(input: $i) { result reason ticketId } }';

export interface Run {
  readonly t0: number;
  history: Op[];
  /** Tickets bought (id and QR token) in the order they were bought. */
  bought: Array<{ id: string; qrToken: string }>;
  scans: Array<Promise<void>>;
}

export function newRun(): Run {
  return { t0: Date.now(), history: [], bought: [], scans: [] };
}

const now = (run: Run) => Date.now() - run.t0;

/** One buyer: reserve 1 and pay, retrying what may not have happened, until bought, refused for good or out of time. */
async function buyer(
  p: Platform,
  run: Run,
  sale: SaleEvent,
  deadline: number,
  scan: boolean,
): Promise<'bought' | 'sold-out' | 'gave-up'> {
  const user = { id: oid(), email: `buyer-${oid()}@faults.test`, role: 'ATTENDEE', name: 'Buyer' };
  const token = await p.issuer.sign(user, { expiresIn: 3600 });
  while (Date.now() < deadline) {
    const start = now(run);
    const held = await gql(p.graphqlUrl, token, RESERVE, { i: { ticketTypeId: sale.typeId, quantity: 1 } });
    const reservationId = (held.data?.reserveTickets as { id: string } | undefined)?.id;
    run.history.push({
      kind: 'reserve',
      client: user.id,
      start,
      end: now(run),
      outcome: held.outcome,
      error: held.code,
      reservationId,
    });
    if (held.outcome !== 'ok' || !reservationId) {
      if (held.code === 'SOLD_OUT') return 'sold-out';
      await sleep(800 + Math.random() * 800);
      continue;
    }
    const key = `fault-${randomUUID()}`;
    while (Date.now() < deadline) {
      const begin = now(run);
      const paid = await gql(p.graphqlUrl, token, CHECKOUT, {
        i: { reservationId, paymentToken: 'tok_success', idempotencyKey: key },
      });
      const order = paid.data?.checkout as
        { id: string; status: string; tickets: Array<{ id: string; qrToken: string | null }> } | undefined;
      const outcome: Outcome =
        paid.outcome === 'ok' && order?.status !== 'CONFIRMED' ? 'unknown' : paid.outcome;
      run.history.push({
        kind: 'checkout',
        client: user.id,
        start: begin,
        end: now(run),
        outcome,
        error: paid.code ?? (outcome === 'unknown' ? order?.status : undefined),
        reservationId,
        idempotencyKey: key,
        quantity: 1,
        orderId: outcome === 'ok' ? order?.id : undefined,
      });
      if (outcome === 'ok' && order) {
        for (const t of order.tickets) {
          if (!t.qrToken) continue;
          run.bought.push({ id: t.id, qrToken: t.qrToken });
          if (scan)
            run.scans.push(scanAtTwoGates(p, run, sale, { id: t.id, qrToken: t.qrToken }, deadline + 20_000));
        }
        return 'bought';
      }
      // HOLD_EXPIRED and other refusals: back to reserving. TRY_AGAIN / RATE_LIMITED (nothing done, e.g. the
      // first attempt with this key still runs) and unknown answers: the same key again.
      if (outcome === 'fail' && paid.code !== 'TRY_AGAIN' && paid.code !== 'RATE_LIMITED') break;
      await sleep(800 + Math.random() * 800);
    }
  }
  return 'gave-up';
}

/** One scan, resent with the same nonce while its answer is unknown. */
async function scanOnce(
  p: Platform,
  run: Run,
  sale: SaleEvent,
  ticket: { id: string; qrToken: string },
  gate: string,
  deadline: number,
): Promise<string | undefined> {
  const nonce = `n${randomBytes(9).toString('hex')}`;
  const deviceId = `${gate}-scanner`;
  while (Date.now() < deadline) {
    const start = now(run);
    const answer = await gql(p.graphqlUrl, sale.staffToken, SCAN, {
      i: { eventId: sale.eventId, code: ticket.qrToken, gateId: gate, deviceId, nonce },
    });
    const result = (answer.data?.scanTicket as { result: string } | undefined)?.result;
    run.history.push({
      kind: 'scan',
      client: deviceId,
      start,
      end: now(run),
      outcome: answer.outcome,
      error: answer.code,
      eventId: sale.eventId,
      ticketId: ticket.id,
      deviceId,
      nonce,
      result,
    });
    if (answer.outcome !== 'unknown') return result;
    await sleep(1000);
  }
  return undefined;
}

/** The same ticket presented at two gates at once; a scan refused because check-in has not learnt the ticket yet is tried again. */
async function scanAtTwoGates(
  p: Platform,
  run: Run,
  sale: SaleEvent,
  ticket: { id: string; qrToken: string },
  deadline: number,
): Promise<void> {
  for (let attempt = 0; attempt < 20 && Date.now() < deadline; attempt++) {
    const results = await Promise.all([
      scanOnce(p, run, sale, ticket, 'gate-a', deadline),
      scanOnce(p, run, sale, ticket, 'gate-b', deadline),
    ]);
    if (results.some((r) => r === 'ACCEPTED' || r === 'ALREADY_CHECKED_IN')) return;
    await sleep(1000);
  }
}

/**
 * A small flash sale: `buyers` arrive evenly over `seconds`, each buying one ticket (and scanning it at two
 * gates when `scan`), while `during(run)` injects the fault. Resolves when every buyer and scan is done.
 */
export async function flashSale(
  p: Platform,
  sale: SaleEvent,
  options: { buyers: number; seconds: number; scan?: boolean; during?: (run: Run) => Promise<void> },
): Promise<Run> {
  const run = newRun();
  const deadline = run.t0 + options.seconds * 1000 + 40_000;
  const fault = options.during?.(run) ?? Promise.resolve();
  const buyers: Array<Promise<unknown>> = [];
  for (let i = 0; i < options.buyers; i++) {
    const due = run.t0 + (i * options.seconds * 1000) / options.buyers;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    buyers.push(buyer(p, run, sale, deadline, options.scan ?? true));
  }
  await Promise.all(buyers);
  await fault;
  await Promise.all(run.scans);
  return run;
}

/** After the fault: buy whatever is left (holds of vanished buyers expire first) so exactly the stock is sold. */
export async function sweepUp(p: Platform, run: Run, sale: SaleEvent, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const inv = await p.db.ticket.collection('inventory').findOne({ _id: sale.typeId as never });
    if (inv && inv.sold === sale.stock) return;
    const outcome = await buyer(p, run, sale, Math.min(deadline, Date.now() + 15_000), false);
    if (outcome === 'sold-out') await sleep(1000); // holds still to expire
  }
}

// ---- the final state ---------------------------------------------------------------------------------

async function pendingOutboxes(conn: Connection, service: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { name } of await conn.listCollections()) {
    out[`${service}.${name}`] = await conn.collection(name).countDocuments({ outboxPending: true });
  }
  return out;
}

export async function readState(p: Platform, sale: SaleEvent, expectSoldOut: boolean): Promise<FinalState> {
  const t = p.db.ticket;
  const c = p.db.checkin;
  const pr = p.db.pricing;
  const inv = await t.collection('inventory').findOne({ _id: sale.typeId as never });
  const orders = await t.collection('orders').find({ eventId: sale.eventId }).toArray();
  const price = await pr.collection('ticket_prices').findOne({ _id: sale.typeId as never });
  const buckets = await pr.collection('demand_buckets').find({ subject: sale.typeId }).toArray();
  const attendance = await c.collection('attendance').findOne({ _id: sale.eventId as never });
  const ready: Record<string, boolean> = {};
  for (const s of SERVICES) ready[s] = await p.services[s].ready();
  return {
    stock: sale.stock,
    expectSoldOut,
    inventory: {
      capacity: inv?.capacity ?? -1,
      available: inv?.available ?? -1,
      held: inv?.held ?? -1,
      sold: inv?.sold ?? -1,
    },
    reservations: (await t.collection('reservations').find({ eventId: sale.eventId }).toArray()).map((r) => ({
      id: String(r._id),
      buyerId: String(r.buyerId),
      status: String(r.status),
    })),
    orders: orders.map((o) => ({
      id: String(o._id),
      reservationId: String(o.reservationId),
      status: String(o.status),
      ticketIds: (o.ticketIds as string[]) ?? [],
      quantity: ((o.lines as Array<{ quantity: number }>) ?? []).reduce((s, l) => s + l.quantity, 0),
    })),
    tickets: (await t.collection('tickets').find({ eventId: sale.eventId }).toArray()).map((x) => ({
      id: String(x._id),
      orderId: String(x.orderId),
    })),
    checkins: (await c.collection('checkins').find({ eventId: sale.eventId }).toArray()).map((x) => ({
      ticketId: String(x._id),
      entryId: String(x.entryId),
    })),
    scanLog: (await c.collection('scan_log').find({ eventId: sale.eventId }).toArray()).map((x) => ({
      id: String(x._id),
      result: String(x.result),
    })),
    attendance: attendance
      ? {
          admitted: attendance.admitted ?? 0,
          repeats: attendance.repeats ?? 0,
          refused: attendance.refused ?? 0,
          conflicts: attendance.conflicts ?? 0,
        }
      : null,
    pricing: price
      ? {
          soldTotal: price.soldTotal ?? 0,
          heldTotal: price.heldTotal ?? 0,
          bucketSold: buckets.reduce((s, b) => s + (b.sold ?? 0), 0),
        }
      : null,
    outboxPending: {
      ...(await pendingOutboxes(t, 'ticket')),
      ...(await pendingOutboxes(pr, 'pricing')),
      ...(await pendingOutboxes(c, 'checkin')),
    },
    ready,
  };
}
