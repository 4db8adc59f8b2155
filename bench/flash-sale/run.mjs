#!/usr/bin/env node
// Flash-sale ramp THROUGH THE GATEWAY: buyers arrive at a fixed rate (an open model: they come whether or not
// earlier ones were answered), one step per rate (default 25, 50, 100, 200, 400 buyers/s), each step on a ticket
// type of its own with stock for every buyer of the step (so the figures measure the service, not the stock),
// and each step runs until its last buyer is done before the next begins. A buyer reserves one GA ticket and,
// when held, checks out with the test provider, both GraphQL over HTTP to the gateway's /graphql. A buyer is an
// honest client: refused with a retryable code (TRY_AGAIN, SERVICE_UNAVAILABLE) it waits the hint and tries
// again, for at most --patience seconds from arrival; a checkout is retried with the same idempotency key.
//
// Per step: purchases/s (first arrival → last purchase), p50/p95/p99 of answered reserve and checkout calls,
// the error breakdown, refusal latency, CPU seconds per purchase of each process (gateway, ticket, FerretDB, its
// PostgreSQL, Redis, Kafka, this load generator), MongoDB commands per purchase (FerretDB's own counters), and
// the checks: 0 oversold, 0 INTERNAL_SERVER_ERROR, every refusal within 100 ms, and every buyer who was charged
// gets the order back with their idempotency key (each one is asked). Writes bench/flash-sale/REPORT.md.
//
//   make infra-up && npm run build -w @ticketing/contracts -w @ticketing/platform -w @ticketing/ticket -w @ticketing/gateway
//   node bench/flash-sale/run.mjs [--rates 25,50,100,200,400] [--step-seconds 20] [--patience 15]
//                                 [--shared-db] [--profile] [--room] [--no-report] [--direct] [--json <file>]
//
// The database is a private FerretDB on a private PostgreSQL cluster (bench/lib/private-ferretdb.mjs), so
// its CPU and command counts belong to this run alone; --shared-db uses the shared local stack's server instead
// (MONGO_URL). Redis and Kafka are the shared local stack's: their CPU includes whatever else the machine runs.
// --profile runs the ticket service with --cpu-prof and adds its top functions by self time to the report
// (--keep-profiles: the same, and the .cpuprofile files are left in place).
// --room switches the event's waiting room on and sends every buyer through it first (`enterRoom`).
// --direct adds, as the ceiling measured in the same run, one more step at the highest rate sent straight to
// the ticket subgraph (no gateway), on a ticket type of its own. --json writes the figures (per step, the
// ceiling, CPU ms per purchase and peak RSS per process) to a file; bench/run-all.mjs reads it.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { mongoServer } from '../lib/local-stack.mjs';
import { startPrivateFerretdb } from '../lib/private-ferretdb.mjs';
import { cpuDelta, cpuSnapshot, rssSampler, stackPid } from '../lib/proc-cpu.mjs';
import { gql, oid, pct, publishGaSale } from '../lib/sale.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const testing = await import(join(root, 'packages/platform/dist/testing/index.js'));
const contracts = await import(join(root, 'packages/contracts/dist/index.js'));
const kafkajs = await import('kafkajs');
const { default: mongoose } = await import('mongoose');
const { createClient: createWsClient } = await import('graphql-ws');
const { default: WebSocket } = await import('ws');

const argValue = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
// The one-rate form (`--rate R --stock S`: 2 × S buyers at R/s on S tickets), as bench/at-rest calls it.
const singleRate = argValue('rate', null);
const singleStock = Math.min(Number(argValue('stock', 200)), 5000);
const ticketDb = argValue('db', undefined);
const rates = String(singleRate ?? argValue('rates', '25,50,100,200,400'))
  .split(',')
  .map(Number)
  .filter((r) => r > 0 && r <= 2000);
const stepSeconds = Math.min(Number(argValue('step-seconds', 20)), 120);
const patienceMs = Math.min(Number(argValue('patience', 15)), 120) * 1000;
const sharedDb = process.argv.includes('--shared-db') || ticketDb !== undefined;
const keepProfiles = process.argv.includes('--keep-profiles');
const profile = process.argv.includes('--profile') || keepProfiles;
const useRoom = process.argv.includes('--room');
const writeReport = !process.argv.includes('--no-report');
const direct = process.argv.includes('--direct') && !singleRate;
const jsonFile = argValue('json', null);

/** A refusal must be answered within this (issue 14). */
const REFUSAL_BUDGET_MS = 100;
/** The client's patience for one HTTP call (the gateway's own subgraph timeout is shorter: 5 s). */
const CALL_TIMEOUT_MS = 10_000;
const RETRYABLE = new Set(['TRY_AGAIN', 'SERVICE_UNAVAILABLE', 'RATE_LIMITED']);
/** The header the web app sends with the waiting room's join and status reads (platform overload lanes). */
const LIGHT_LANE = process.env.BENCH_NO_LIGHT_LANE === '1' ? {} : { 'x-shed-lane': 'light' };
const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadAtStart = os.loadavg();

/**
 * Event-loop delay during a step, in ms: how late each process's loop ran a timer, which every answer it
 * sends waits through as well. The load generator's own is measured here (10 ms timer); the gateway's and the
 * ticket service's are read from their /metrics (prom-client's 200 ms timer; a scrape resets it, so the
 * step's start scrape discards what came before). Both histograms count the timer's own period, taken off.
 */
const LOOP_METRICS = ['p50', 'p99', 'max'].map((q) => [q, `nodejs_eventloop_lag_${q}_seconds`]);
async function serviceLoopDelay(baseUrl) {
  const text = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) })
    .then((r) => r.text())
    .catch(() => '');
  const out = {};
  for (const [q, name] of LOOP_METRICS) {
    const value = Number(text.match(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm'))?.[1]);
    out[q] = Number.isFinite(value) ? Math.max(0, value * 1000 - 200) : NaN;
  }
  return out;
}
function loopDelayRecorder() {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return () => {
    h.disable();
    const ms = (ns) => Math.max(0, ns / 1e6 - 10);
    return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
  };
}

const RESERVE = 'mutation($i: ReserveTicketsInput!) { reserveTickets(input: $i) { id } }';
const CHECKOUT = 'mutation($i: CheckoutInput!) { checkout(input: $i) { id status } }';

/**
 * --room: the buyer joins the event's waiting room (`joinWaitingRoom`), then, as the web app does, waits on the
 * `waitingRoomUpdated` subscription (graphql-ws through the gateway, one connection per waiting buyer) until
 * admitted, and returns the pass `reserveTickets` needs (`input.admissionPass`); the time spent is reported as
 * "time in the room". While the subscription cannot be opened or has ended, the status is polled once a second.
 * Undefined when the room says NOT_NEEDED; null when the buyer gave up waiting.
 */
const ROOM_STATUS = 'state position estimatedWaitSeconds admissionPass';
async function enterRoom(gatewayUrl, buyer, eventId, giveUpAt, onRefusal = () => {}) {
  // A join or poll that times out, loses its connection or is refused (TRY_AGAIN, no data) is simply tried
  // again on the next round, as a browser would: it never ends the buyer's wait early or the run. A refusal
  // with a retryable code is reported (`onRefusal(op, code@origin, ms)`): it counts like any other.
  // The retry hint of the last refused join or poll: an honest client waits it (with jitter) before asking again.
  let hintMs = 200;
  const ask = (op, query, field) => {
    const t = performance.now();
    hintMs = 200;
    // As the web app does: the room's join and status reads ask for the light shedding lane.
    return gql(gatewayUrl, query, { e: eventId }, buyer.token, CALL_TIMEOUT_MS, LIGHT_LANE)
      .then((body) => {
        const error = body?.errors?.[0];
        const code = error?.extensions?.code;
        if (RETRYABLE.has(code)) {
          const origin = /The (\w+) service is busy/.exec(error.message ?? '')?.[1];
          onRefusal(op, code + (origin ? `@${origin}` : ''), performance.now() - t);
          hintMs = Number(error.extensions?.retryAfterMs) || 1_000;
        }
        return body?.data?.[field];
      })
      .catch(() => undefined);
  };
  const join = () =>
    ask('join', `mutation($e: ID!) { joinWaitingRoom(eventId: $e) { ${ROOM_STATUS} } }`, 'joinWaitingRoom');
  const poll = () =>
    ask(
      'status',
      `query($e: ID!) { waitingRoomStatus(eventId: $e) { ${ROOM_STATUS} } }`,
      'waitingRoomStatus',
    );
  let status = await join();
  let live = null; // { latest, ended, dispose }
  try {
    for (;;) {
      if (status?.state === 'NOT_NEEDED') return undefined;
      if (status?.state === 'ADMITTED' && status.admissionPass) return status.admissionPass;
      if (performance.now() > giveUpAt) return null;
      if (!status || ['NOT_JOINED', 'PASS_EXPIRED', 'PASS_USED'].includes(status.state)) {
        await sleep(hintMs * (0.5 + Math.random()));
        status = await join();
        continue;
      }
      if (!live || live.ended) {
        live?.dispose();
        live = watchRoom(gatewayUrl, buyer, eventId);
      }
      // The next pushed status. As in the web app, a waiting buyer does not poll while the subscription is
      // open (a quiet room pushes nothing: positions move at most every second or so); a poll stands in once
      // it ended (then a second's pause before it is opened again), and after 15 s of silence.
      const pushed = await live.next(15_000);
      if (!pushed && live.ended) await sleep(1_000);
      status = pushed ?? (await poll()) ?? status;
    }
  } finally {
    live?.dispose();
  }
}

/** The buyer's `waitingRoomUpdated` subscription: `next(ms)` resolves with the next status, or null after `ms`. */
function watchRoom(gatewayUrl, buyer, eventId) {
  const queue = [];
  let wake = null;
  const state = { ended: false };
  const client = createWsClient({
    url: `${gatewayUrl.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${buyer.token}` },
    retryAttempts: 0,
    on: { closed: () => end() },
  });
  const end = () => {
    state.ended = true;
    wake?.();
  };
  client.subscribe(
    {
      query: `subscription($e: ID!) { waitingRoomUpdated(eventId: $e) { ${ROOM_STATUS} } }`,
      variables: { e: eventId },
    },
    {
      next: (m) => {
        if (m.data?.waitingRoomUpdated) queue.push(m.data.waitingRoomUpdated);
        wake?.();
      },
      error: () => end(),
      complete: () => end(),
    },
  );
  return {
    get ended() {
      return state.ended;
    },
    async next(ms) {
      if (queue.length === 0 && !state.ended) {
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = null;
      }
      return queue.length > 0 ? queue.splice(0).at(-1) : null;
    },
    dispose() {
      state.ended = true;
      Promise.resolve(client.dispose()).catch(() => undefined);
    },
  };
}

// ---- stack -----------------------------------------------------------------------------------------

const ctx = testing.createTestContext('bench-flash-sale');
await testing.ensureTopics(ctx);
const issuer = await testing.createTestIssuer();
const privateDb = sharedDb ? null : await startPrivateFerretdb();
const mongoUrl = privateDb?.MONGO_URL ?? ctx.env.MONGO_URL;
const profileDir = profile ? mkdtempSync(join(tmpdir(), 'flash-sale-prof-')) : null;
const gatewayProfileDir = profile ? mkdtempSync(join(tmpdir(), 'flash-sale-gw-prof-')) : null;
const ticket = await testing
  .startService(
    join(root, 'services/ticket'),
    {
      ...ctx.env,
      MONGO_URL: mongoUrl,
      ...(ticketDb ? { MONGO_DB: ticketDb } : {}),
      LOG_LEVEL: 'error',
      AUTH_JWKS_URL: issuer.jwksUrl,
      HOLD_TTL_SECONDS: '600',
    },
    // A busy shared machine can take long to start a service.
    {
      readyTimeoutMs: 120_000,
      ...(profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
    },
  )
  .catch(async (error) => {
    await privateDb?.stop();
    throw error;
  });
const gateway = await testing
  .startService(
    join(root, 'services/gateway'),
    {
      ...ctx.env,
      LOG_LEVEL: 'error',
      AUTH_JWKS_URL: issuer.jwksUrl,
      TICKET_URL: `${ticket.url}/graphql`,
      // One client address sends every request of the benchmark.
      RATE_LIMIT_PER_MINUTE: '0',
    },
    {
      readyTimeoutMs: 120_000,
      ...(profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${gatewayProfileDir}`] } : {}),
    },
  )
  .catch(async (error) => {
    await ticket.stop();
    await privateDb?.stop();
    throw error;
  });
const db = await mongoose.createConnection(mongoUrl, { dbName: ticketDb ?? ctx.dbName }).asPromise();

const sharedMongoPid = stackPid(root, 'mongo');
const cpuGroups = {
  gateway: () => [gateway.child.pid],
  ticket: () => [ticket.child.pid],
  FerretDB: () => [privateDb ? privateDb.ferretdbPid : sharedMongoPid],
  // The shared server's PostgreSQL also serves every other user of the stack: only the private one is counted.
  PostgreSQL: () => (privateDb ? privateDb.postgresPids() : []),
  'Redis (shared)': () => [stackPid(root, 'redis')],
  'Kafka (shared)': () => [stackPid(root, 'kafka')],
};
// Peak memory per process over the whole run (the shared servers' VmHWM predates it: sampled only).
const rss = rssSampler(cpuGroups, {
  highWaterMark: ['gateway', 'ticket', ...(privateDb ? ['FerretDB'] : [])],
});
let peakRss = {};

/** FerretDB's own per-command counters (serverStatus.metrics.commands), summed over command names. */
async function dbCommands() {
  const status = await db.db.admin().command({ serverStatus: 1 });
  const out = {};
  for (const [name, { total }] of Object.entries(status.metrics?.commands ?? {})) out[name] = total;
  return out;
}

// ---- one step --------------------------------------------------------------------------------------

async function runStep(rate, typeId, eventId, url = gateway.url) {
  const count = singleRate ? 2 * singleStock : Math.round(rate * stepSeconds);
  const buyers = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const u = { id: oid(), email: `b${rate}-${i}@bench.test`, role: 'ATTENDEE', name: `Buyer ${i}` };
      return { u, token: await issuer.sign(u, { expiresIn: 3600 }), key: `bench-${rate}-${i}-${u.id}` };
    }),
  );
  const reserveMs = [];
  const checkoutMs = [];
  const refusalMs = [];
  // The same latencies per operation and code (`reserve:SOLD_OUT`, `checkout:TRY_AGAIN`, ...), to tell
  // which kind of refusal is slow.
  const refusalsByKind = {};
  const refused = (op, code, ms) => {
    refusalMs.push(ms);
    (refusalsByKind[`${op}:${code}`] ??= []).push(ms);
  };
  // TRY_AGAIN to a checkout retry whose first call is still running (it waited up to 1 s for that answer).
  const keyBusyMs = [];
  const roomMs = [];
  const codes = {};
  const bump = (k) => (codes[k] = (codes[k] ?? 0) + 1);
  let purchases = 0;
  let lastPurchase = 0;

  /** One call; returns { code, data, ms, retryAfterMs } (code null on success). */
  async function call(op, query, variables, token) {
    const t = performance.now();
    try {
      const body = await gql(url, query, variables, token, CALL_TIMEOUT_MS);
      const ms = performance.now() - t;
      const error = body.errors?.[0];
      if (!error) return { code: null, data: body.data, ms };
      const code = error.extensions?.code ?? 'NO_CODE';
      bump(`${op}:${code}`);
      return {
        code,
        ms,
        // Which shedder refused ("The ticket service is busy ..."), for the refusal breakdown.
        origin: /The (\w+) service is busy/.exec(error.message ?? '')?.[1],
        field: error.extensions?.field,
        retryAfterMs: Number(error.extensions?.retryAfterMs) || 200,
      };
    } catch (e) {
      const code = e?.name === 'TimeoutError' ? 'CLIENT_TIMEOUT' : 'NETWORK_ERROR';
      bump(`${op}:${code}`);
      return { code, ms: performance.now() - t, retryAfterMs: 500 };
    }
  }
  const jitter = (ms) => ms * (0.5 + Math.random());

  async function buy(buyer, arrivedAt) {
    const giveUpAt = arrivedAt + patienceMs;
    let pass;
    if (useRoom) {
      const t = performance.now();
      pass = await enterRoom(url, buyer, eventId, arrivedAt + 4 * patienceMs, refused);
      roomMs.push(performance.now() - t);
      if (pass === null) return bump('buyer:gave-up-in-room');
    }
    let reservationId;
    for (;;) {
      const r = await call(
        'reserve',
        RESERVE,
        { i: { ticketTypeId: typeId, quantity: 1, ...(pass ? { admissionPass: pass } : {}) } },
        buyer.token,
      );
      if (!r.code) {
        reserveMs.push(r.ms);
        reservationId = r.data.reserveTickets.id;
        break;
      }
      if (RETRYABLE.has(r.code) || r.code === 'SOLD_OUT')
        refused('reserve', r.code + (r.origin ? `@${r.origin}` : ''), r.ms);
      if (!RETRYABLE.has(r.code) && r.code !== 'CLIENT_TIMEOUT' && r.code !== 'NETWORK_ERROR') return;
      const wait = jitter(r.retryAfterMs);
      if (performance.now() + wait > giveUpAt) return bump('buyer:gave-up-reserving');
      await sleep(wait);
    }
    buyer.reservationId = reservationId;
    for (;;) {
      const c = await call(
        'checkout',
        CHECKOUT,
        { i: { reservationId, paymentToken: 'tok_success', idempotencyKey: buyer.key } },
        buyer.token,
      );
      if (!c.code) {
        checkoutMs.push(c.ms);
        purchases += 1;
        lastPurchase = performance.now();
        return;
      }
      if (c.code === 'TRY_AGAIN' && c.field === 'input.idempotencyKey') keyBusyMs.push(c.ms);
      else if (RETRYABLE.has(c.code)) refused('checkout', c.code + (c.origin ? `@${c.origin}` : ''), c.ms);
      if (!RETRYABLE.has(c.code) && c.code !== 'CLIENT_TIMEOUT' && c.code !== 'NETWORK_ERROR') return;
      // A checkout is always retried (same key): the buyer may already have been charged.
      const wait = jitter(c.retryAfterMs);
      if (performance.now() + wait > giveUpAt + patienceMs) return bump('buyer:gave-up-paying');
      await sleep(wait);
    }
  }

  const cpuBefore = cpuSnapshot(cpuGroups);
  const dbBefore = await dbCommands();
  await Promise.all([serviceLoopDelay(gateway.url), serviceLoopDelay(ticket.url)]);
  const ownLoop = loopDelayRecorder();
  const started = performance.now();
  const inflight = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(buy(buyers[i], performance.now()));
  }
  await Promise.all(inflight);
  const ended = performance.now();
  const loopDelay = {
    'load generator': ownLoop(),
    gateway: await serviceLoopDelay(gateway.url),
    ticket: await serviceLoopDelay(ticket.url),
  };
  const cpu = cpuDelta(cpuBefore, cpuSnapshot(cpuGroups));
  const dbAfter = await dbCommands();
  const dbOps = Object.keys(dbAfter).reduce((sum, k) => sum + (dbAfter[k] - (dbBefore[k] ?? 0)), 0);
  if (profile) {
    const byCommand = Object.keys(dbAfter)
      .map((k) => [k, dbAfter[k] - (dbBefore[k] ?? 0)])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`);
    console.log(`${rate}/s database commands: ${byCommand.join(', ')}`);
  }

  // ---- checks, from the source of truth ----
  const inv = await db.collection('inventory').findOne({ _id: typeId });
  const tickets = await db.collection('tickets').countDocuments({ ticketTypeId: typeId });
  const distinct = (await db.collection('tickets').distinct('_id', { ticketTypeId: typeId })).length;
  const oversold =
    Math.max(0, tickets - inv.capacity) +
    (tickets - distinct) +
    Math.max(0, inv.sold + inv.held - inv.capacity);
  // Every buyer who was charged gets their order back with their key.
  const byBuyer = new Map(buyers.map((b) => [b.u.id, b]));
  const orders = await db
    .collection('orders')
    .find({ 'lines.ticketTypeId': typeId })
    .project({ _id: 1, buyerId: 1, status: 1 })
    .toArray();
  const orderIds = new Set(orders.map((o) => o._id));
  const charges = (await db.collection('test_payment_charges').find({ status: 'CAPTURED' }).toArray()).filter(
    (c) => orderIds.has(String(c._id).split(':')[0]),
  );
  const orderOf = new Map(orders.map((o) => [o._id, o]));
  let recovered = 0;
  const notRecovered = [];
  const chargedOrders = [...new Set(charges.map((c) => String(c._id).split(':')[0]))];
  for (let i = 0; i < chargedOrders.length; i += 16) {
    await Promise.all(
      chargedOrders.slice(i, i + 16).map(async (orderId) => {
        const buyer = byBuyer.get(orderOf.get(orderId).buyerId);
        for (let attempt = 0; attempt < 20; attempt++) {
          const body = await gql(
            url,
            CHECKOUT,
            {
              i: {
                reservationId: buyer.reservationId,
                paymentToken: 'tok_success',
                idempotencyKey: buyer.key,
              },
            },
            buyer.token,
            CALL_TIMEOUT_MS,
          ).catch(() => ({ errors: [{ extensions: { code: 'CLIENT_ERROR' } }] }));
          const code = body.errors?.[0]?.extensions?.code;
          if (!code && body.data.checkout.id === orderId && body.data.checkout.status === 'CONFIRMED') {
            recovered += 1;
            return;
          }
          if (code && !RETRYABLE.has(code) && code !== 'CLIENT_ERROR') break;
          await sleep(200);
        }
        notRecovered.push(orderId);
      }),
    );
  }

  reserveMs.sort((a, b) => a - b);
  checkoutMs.sort((a, b) => a - b);
  refusalMs.sort((a, b) => a - b);
  roomMs.sort((a, b) => a - b);
  const seconds = ((lastPurchase || ended) - started) / 1000;
  return {
    rate,
    buyers: count,
    purchases,
    goodput: purchases / seconds,
    seconds: (ended - started) / 1000,
    reserve: [50, 95, 99].map((p) => pct(reserveMs, p)),
    checkout: [50, 95, 99].map((p) => pct(checkoutMs, p)),
    loopDelay,
    refusals: refusalMs.length,
    refusalP99: pct(refusalMs, 99),
    refusalMax: refusalMs.at(-1) ?? NaN,
    keyBusy: keyBusyMs.length,
    keyBusyMax: keyBusyMs.length ? Math.max(...keyBusyMs) : NaN,
    slowRefusals: refusalMs.filter((ms) => ms > REFUSAL_BUDGET_MS).length,
    refusalKinds: Object.fromEntries(
      Object.entries(refusalsByKind).map(([kind, list]) => {
        list.sort((a, b) => a - b);
        return [
          kind,
          {
            count: list.length,
            p50: pct(list, 50),
            p99: pct(list, 99),
            over: list.filter((ms) => ms > REFUSAL_BUDGET_MS).length,
          },
        ];
      }),
    ),
    room: [50, 99].map((p) => pct(roomMs, p)),
    codes,
    internal: Object.entries(codes)
      .filter(([k]) => k.endsWith(':INTERNAL_SERVER_ERROR'))
      .reduce((s, [, v]) => s + v, 0),
    cpu,
    dbOps,
    oversold,
    inventory: inv,
    charged: chargedOrders.length,
    recovered,
    notRecovered,
  };
}

// ---- the ramp ----------------------------------------------------------------------------------------

const results = [];
let directResult = null;
let profileTop = '';
try {
  const types = rates.map((rate) => ({
    typeId: oid(),
    name: `Standing ${rate}/s`,
    quantity: singleRate ? singleStock : Math.round(rate * stepSeconds),
  }));
  const topRate = Math.max(...rates);
  const directType = {
    typeId: oid(),
    name: `Direct ${topRate}/s`,
    quantity: Math.round(topRate * stepSeconds),
  };
  const sale = await publishGaSale({
    ctx,
    contracts,
    kafkajs,
    issuer,
    serviceUrl: gateway.url,
    types: direct ? [...types, directType] : types,
  });
  if (useRoom) {
    const on = await gql(
      gateway.url,
      'mutation($e: ID!) { setWaitingRoom(eventId: $e, input: { enabled: true }) { enabled } }',
      { e: sale.eventId },
      sale.orgToken,
    );
    if (!on.data?.setWaitingRoom?.enabled)
      throw new Error(`--room: could not switch the room on: ${JSON.stringify(on)}`);
  }
  // --room --profile: the organizer's view of the room every 2 s (queue, outstanding passes, limit, rate).
  let roomProbe = null;
  if (useRoom && profile) {
    const started = performance.now();
    roomProbe = setInterval(() => {
      gql(
        gateway.url,
        'query($e: ID!) { waitingRoom(eventId: $e) { waiting admittedOutstanding currentLimit admittedPerMinute averageReserveLatencyMs } }',
        { e: sale.eventId },
        sale.orgToken,
      ).then(
        (body) =>
          console.log(
            `room at ${((performance.now() - started) / 1000).toFixed(0)} s: ${JSON.stringify(body?.data?.waitingRoom ?? body?.errors?.[0]?.extensions?.code)}`,
          ),
        () => undefined,
      );
    }, 2_000);
  }
  for (const [i, rate] of rates.entries()) {
    const result = await runStep(rate, types[i].typeId, sale.eventId);
    results.push(result);
    process.stdout.write(
      `${rate}/s: ${result.purchases} purchases, ${fmt(result.goodput)}/s, reserve p99 ${fmt(result.reserve[2], 0)} ms, ` +
        `checkout p99 ${fmt(result.checkout[2], 0)} ms, refusals ${result.refusals} (max ${fmt(result.refusalMax, 0)} ms), ` +
        `oversold ${result.oversold}, charged ${result.charged}/recovered ${result.recovered}\n` +
        `  refusals by kind: ${Object.entries(result.refusalKinds)
          .map(
            ([kind, k]) =>
              `${kind} ${k.count} (p50 ${fmt(k.p50, 0)}, p99 ${fmt(k.p99, 0)} ms, ${k.over} over ${REFUSAL_BUDGET_MS})`,
          )
          .join('; ')}\n` +
        `  event-loop delay p50 / p99 / max (ms): ${Object.entries(result.loopDelay)
          .map(([who, d]) => `${who} ${fmt(d.p50, 0)} / ${fmt(d.p99, 0)} / ${fmt(d.max, 0)}`)
          .join('; ')}\n`,
    );
    // Let the relays and the sweeper catch up before the next step.
    await sleep(3_000);
  }
  if (roomProbe) clearInterval(roomProbe);
  if (direct) {
    directResult = await runStep(topRate, directType.typeId, sale.eventId, ticket.url);
    process.stdout.write(
      `${topRate}/s straight to the ticket subgraph: ${directResult.purchases} purchases, ${fmt(directResult.goodput)}/s, ` +
        `oversold ${directResult.oversold}\n`,
    );
  }
} finally {
  peakRss = rss.stop();
  await db.close();
  await gateway.stop();
  await ticket.stop();
  await issuer.close();
  // Topics and Redis keys of the shared stack; bounded, so a shared server that stopped answering cannot
  // keep the report from being written.
  await Promise.race([
    testing.dropTestContext(ctx).catch((e) => console.error('cleanup failed', e.message)),
    sleep(20_000).then(() => console.error('cleanup of the shared stack timed out')),
  ]);
  await privateDb?.stop();
}

/** The top functions by self time of the one CPU profile in `dir` (a markdown table's rows), then removes it. */
function profileSummary(dir) {
  if (!dir) return '';
  let rows = '';
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (file) {
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    const self = new Map();
    const dt = prof.timeDeltas;
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const total = dt.reduce((s, d) => s + d, 0);
    prof.samples.forEach((id, i) => {
      const n = byId.get(id);
      const where = n.callFrame.url.replace(/^file:\/\//, '').replace(root + '/', '');
      const key = `${n.callFrame.functionName || '(anonymous)'} ${where.split('/node_modules/').pop()}`;
      self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
    });
    rows = [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, v]) => `| ${k.replace(/\|/g, '\\|')} | ${((100 * v) / total).toFixed(1)} % |`)
      .join('\n');
  }
  // --keep-profiles leaves the .cpuprofile files for a closer look (Chrome DevTools, or a script of one's own).
  if (keepProfiles) console.log(`CPU profile kept: ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
  return rows;
}
profileTop = profileSummary(profileDir);
const gatewayProfileTop = profileSummary(gatewayProfileDir);

// ---- report -----------------------------------------------------------------------------------------

const within = (r) => r.purchases > 0 && Math.max(r.reserve[2], r.checkout[2]) <= 1000 && r.internal === 0;
const knee = results.filter(within).at(-1);
const processes = results[0] ? Object.keys(results[0].cpu) : [];
const ok = (r) => r.oversold === 0 && r.internal === 0 && r.slowRefusals === 0 && r.notRecovered.length === 0;
const rows = results
  .map(
    (r) =>
      `| ${r.rate} | ${r.buyers} | ${r.purchases} | **${fmt(r.goodput)}** | ${r.reserve.map((v) => fmt(v, 0)).join(' / ')} | ${r.checkout
        .map((v) => fmt(v, 0))
        .join(' / ')} | ${r.refusals} (p99 ${fmt(r.refusalP99, 0)}, max ${fmt(r.refusalMax, 0)}) | ${
        useRoom ? `${r.room.map((v) => fmt(v / 1000, 1)).join(' / ')} s | ` : ''
      }${fmt(r.dbOps / Math.max(1, r.purchases), 1)} |`,
  )
  .join('\n');
const breakdown = results
  .map(
    (r) =>
      `| ${r.rate} | ${
        Object.entries(r.codes)
          .sort()
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || '—'
      } |`,
  )
  .join('\n');
const cpuRows = results
  .map(
    (r) =>
      `| ${r.rate} | ${processes.map((p) => fmt((r.cpu[p] * 1000) / Math.max(1, r.purchases), 1)).join(' | ')} | ${fmt(
        (Object.values(r.cpu).reduce((s, v) => s + v, 0) / r.seconds) * 100,
        0,
      )} % |`,
  )
  .join('\n');
const checks = results
  .map(
    (r) =>
      `| ${r.rate} | ${r.oversold} | ${r.internal} | ${r.slowRefusals} of ${r.refusals} | ${r.recovered} of ${r.charged}${
        r.notRecovered.length ? ` (**${r.notRecovered.length} not**)` : ''
      } | capacity ${r.inventory.capacity}, sold ${r.inventory.sold}, held ${r.inventory.held} | ${ok(r) ? 'pass' : '**FAIL**'} |`,
  )
  .join('\n');
const command = `node bench/flash-sale/run.mjs --rates ${rates.join(',')} --step-seconds ${stepSeconds} --patience ${
  patienceMs / 1000
}${sharedDb ? ' --shared-db' : ''}${profile ? ' --profile' : ''}${useRoom ? ' --room' : ''}${direct ? ' --direct' : ''}`;
const measured = `Command: \`${command}\`
Date: ${new Date().toISOString()}
Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average at start ${loadAtStart
  .map((l) => l.toFixed(1))
  .join(' ')}, at the end ${os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' ')} (shared development machine: other sessions' tests and builds run on the same 2 cores)
Database: ${sharedDb ? mongoServer(root) : 'a private FerretDB 1.24 (the dev/ build) on a private PostgreSQL cluster (fsync off)'}

Knee (highest rate with reserve and checkout p99 ≤ 1 s and no INTERNAL_SERVER_ERROR): **${
  knee ? `${knee.rate} buyers/s → ${fmt(knee.goodput)} purchases/s` : 'none'
}**

| arrivals/s | buyers | purchases | purchases/s | reserve p50 / p95 / p99 (ms) | checkout p50 / p95 / p99 (ms) | retryable refusals (ms) | ${
  useRoom ? 'time in room p50 / p99 | ' : ''
}DB commands per purchase |
|---:|---:|---:|---:|---|---|---|${useRoom ? '---|' : ''}---:|
${rows}

Errors (per call, \`operation:code\`; a buyer retries after TRY_AGAIN / SERVICE_UNAVAILABLE, so one buyer may count several;
\`checkout:TRY_AGAIN\` includes retries that found their key's first call still running, ${results
  .map((r) => `${r.rate}/s: ${r.keyBusy} (max ${fmt(r.keyBusyMax, 0)} ms)`)
  .join(', ')}: those wait up to 1 s for the first call's answer and are not counted as refusals below):

| arrivals/s | breakdown |
|---:|---|
${breakdown}

CPU milliseconds per purchase, per process (and all of them together as a share of one core over the step):

| arrivals/s | ${processes.join(' | ')} | all, % of a core |
|---:|${processes.map(() => '---:').join('|')}|---:|
${cpuRows}

Checks (every step):

| arrivals/s | oversold | INTERNAL_SERVER_ERROR | refusals over ${REFUSAL_BUDGET_MS} ms | charged buyers who got their order back by key | inventory | |
|---:|---:|---:|---:|---|---|---|
${checks}
${
  directResult
    ? `\nCeiling, same run: ${directResult.rate} buyers/s straight to the ticket subgraph (no gateway): **${fmt(directResult.goodput)} purchases/s**, reserve p99 ${fmt(directResult.reserve[2], 0)} ms, checkout p99 ${fmt(directResult.checkout[2], 0)} ms, oversold ${directResult.oversold}, ${ok(directResult) ? 'checks pass' : '**checks FAIL**'}.\n`
    : ''
}${profileTop ? `\nTicket service CPU profile (\`--cpu-prof\`, whole run), top functions by self time:\n\n| function | self |\n|---|---:|\n${profileTop}\n` : ''}${gatewayProfileTop ? `\nGateway CPU profile (\`--cpu-prof\`, whole run), top functions by self time:\n\n| function | self |\n|---|---:|\n${gatewayProfileTop}\n` : ''}`;

process.stdout.write(`\n${measured}\n`);
if (singleRate && results[0]) {
  // The lines bench/at-rest reads from the one-rate form.
  process.stdout.write(
    `| purchases/s (first arrival → last purchase) | ${fmt(results[0].goodput)}\n| **oversell count** | **${results[0].oversold}** |\n`,
  );
}
if (writeReport) {
  // REPORT.md keeps its hand-written analysis; the measured block between the markers is replaced.
  const path = join(here, 'REPORT.md');
  const begin = '<!-- measured:begin -->';
  const end = '<!-- measured:end -->';
  let report;
  try {
    report = readFileSync(path, 'utf8');
  } catch {
    report = '';
  }
  const block = `${begin}\n${measured}\n${end}`;
  report =
    report.includes(begin) && report.includes(end)
      ? report.slice(0, report.indexOf(begin)) + block + report.slice(report.indexOf(end) + end.length)
      : `# Flash sale — ramp through the gateway\n\n${block}\n`;
  writeFileSync(path, report);
}
if (jsonFile) {
  const cpuPerPurchase = (r) =>
    Object.fromEntries(Object.entries(r.cpu).map(([k, v]) => [k, (v * 1000) / Math.max(1, r.purchases)]));
  const figures = (r) => ({
    throughput: r.goodput,
    latency: {
      reserve: { p50: r.reserve[0], p95: r.reserve[1], p99: r.reserve[2] },
      checkout: { p50: r.checkout[0], p95: r.checkout[1], p99: r.checkout[2] },
    },
    count: r.purchases,
    // Refusals a buyer is told to expect (sold out, try again) are outcomes, not errors.
    errors: Object.entries(r.codes)
      .filter(([k]) => !k.startsWith('buyer:'))
      .filter(([k]) => !RETRYABLE.has(k.split(':')[1]) && !k.endsWith(':SOLD_OUT'))
      .reduce((sum, [, v]) => sum + v, 0),
    cpuMsPerOp: cpuPerPurchase(r),
    values: {
      buyers: r.buyers,
      'retryable refusals': r.refusals,
      'DB commands per purchase': r.dbOps / Math.max(1, r.purchases),
    },
    checks: {
      oversold: r.oversold,
      INTERNAL_SERVER_ERROR: r.internal,
      'refusals over 100 ms': r.slowRefusals,
      'charged buyers not recovered by key': r.notRecovered.length,
    },
  });
  const all = directResult ? [...results, directResult] : results;
  writeFileSync(
    jsonFile,
    JSON.stringify(
      {
        scenario: 'flash-sale',
        command,
        finishedAt: new Date().toISOString(),
        unit: 'purchases',
        rows: results.map((r) => ({ key: `${r.rate}/s`, label: `${r.rate} buyers/s`, ...figures(r) })),
        knee: knee ? { rate: knee.rate, throughput: knee.goodput } : { rate: 0, throughput: 0 },
        ceilings: directResult
          ? [
              {
                key: 'direct',
                label: `${directResult.rate} buyers/s straight to the ticket subgraph (no gateway)`,
                ...figures(directResult),
              },
            ]
          : [],
        checks: Object.fromEntries(
          [
            'oversold',
            'INTERNAL_SERVER_ERROR',
            'refusals over 100 ms',
            'charged buyers not recovered by key',
          ].map((k) => [k, all.reduce((sum, r) => sum + figures(r).checks[k], 0)]),
        ),
        rssMb: peakRss,
      },
      null,
      2,
    ),
  );
}
if (results.some((r) => !ok(r)) || (directResult && !ok(directResult))) process.exitCode = 1;
