#!/usr/bin/env node
// What the stack costs when nobody asks anything, with a realistic amount of data already stored.
//
//   make infra-up && npm run build
//   node bench/at-rest/run.mjs [--users 100000] [--events 1000] [--purchases 100000] [--seconds 60]
//                              [--settle 20] [--ferretdb <binary>] [--root <tree>] [--keep]
//                              [--flash-sale [--sale-stock 300] [--sale-rate 50] [--sale-runs 2]] [--json <file>]
//
// 1. Starts a private PostgreSQL cluster and the FerretDB binary dev/mongo.sh built (or --ferretdb) on it,
//    on free ports, so every CPU second and every row read below belongs to this run alone.
// 2. Loads the data through the services' own mongoose schemas (their dist/ builds, so their indexes and
//    validation apply): users (auth), events with two ticket types each (event), and for every purchase a
//    CONVERTED reservation, a CONFIRMED order and a VALID ticket (ticket), plus a processed message per
//    purchase. --root runs another tree's build (e.g. an older commit) against the same kind of data.
// 3. Starts auth, event, ticket and the gateway from dist/ against it (Kafka and Redis of the local stack,
//    throwaway topics and key prefix), lets them settle, then measures --seconds of rest: CPU seconds per
//    process (from /proc), and per collection the sequential scans, index scans and rows read (from
//    PostgreSQL's pg_stat_user_tables).
// 4. With --flash-sale: bench/flash-sale/run.mjs against the same server, alternately on the loaded ticket
//    database and on an empty one (--sale-runs each), to show that stored data does not slow a sale.
// Prints a Markdown section for bench/at-rest/REPORT.md; --json also writes the rest figures (% of a core per
// process, rows read, full scans) for bench/run-all.mjs. Everything it started is stopped at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrivateFerretdb } from '../lib/private-ferretdb.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const num = (name, fallback, max) => Math.min(Number(arg(name, fallback)), max);
const USERS = num('users', 100_000, 1_000_000);
const EVENTS = num('events', 1_000, 100_000);
const PURCHASES = num('purchases', 100_000, 1_000_000);
const SECONDS = num('seconds', 60, 3600);
const SETTLE = num('settle', 20, 600);
const ROOT = resolve(arg('root', repo));
const KEEP = process.argv.includes('--keep');

const testing = await import(join(ROOT, 'packages/platform/dist/testing/index.js'));
const { default: mongoose } = await import(join(ROOT, 'node_modules/mongoose/index.js'));

const TICK = 100; // clock ticks per second on Linux
const started = [];
const log = (...a) => console.error('[at-rest]', ...a);

// ---------------------------------------------------------------- private PostgreSQL + FerretDB
const server = await startPrivateFerretdb({ ferretdb: arg('ferretdb', undefined), log });
started.push(() => server.stop());
const { MONGO_URL, psql, ferretBin } = server;
const ferret = { pid: server.ferretdbPid };
const pgPids = server.postgresPids;

// ---------------------------------------------------------------- data, through the services' schemas
const ctx = testing.createTestContext('bench-at-rest');
// The throwaway topics and keys on the shared Kafka and Redis go too (the database goes with the server).
started.push(() => testing.dropTestContext(ctx, { mongo: false }));
const dbs = {
  auth: `${ctx.dbName}_auth`.slice(0, 60),
  event: `${ctx.dbName}_event`.slice(0, 60),
  ticket: `${ctx.dbName}_ticket`.slice(0, 60),
};
// Services built in this tree besides the three loaded ones run too (at rest, on their own empty databases).
const extra = ['checkin', 'pricing'].filter((svc) =>
  existsSync(join(ROOT, 'services', svc, 'dist', 'main.js')),
);
const dbOf = (svc) => dbs[svc] ?? `${ctx.dbName}_${svc}`.slice(0, 60);
const svcDist = (svc, file) => import(join(ROOT, 'services', svc, 'dist', file));
const { UserSchema } = await svcDist('auth', 'users/schemas/user.schema.js');
const { EventSchema } = await svcDist('event', 'events/schemas/event.schema.js');
const { ReservationSchema } = await svcDist('ticket', 'reservations/schemas/reservation.schema.js');
const { OrderSchema } = await svcDist('ticket', 'orders/schemas/order.schema.js');
const { TicketSchema } = await svcDist('ticket', 'tickets/schemas/ticket.schema.js');

const conns = {};
for (const [svc, db] of Object.entries(dbs))
  conns[svc] = mongoose.createConnection(MONGO_URL, { dbName: db, autoIndex: false });
const models = {
  users: conns.auth.model('BenchUser', UserSchema),
  events: conns.event.model('BenchEvent', EventSchema),
  reservations: conns.ticket.model('BenchReservation', ReservationSchema),
  orders: conns.ticket.model('BenchOrder', OrderSchema),
  tickets: conns.ticket.model('BenchTicket', TicketSchema),
};
for (const m of Object.values(models)) await m.createCollection().catch(() => undefined);
for (const m of Object.values(models)) await m.createIndexes();

const oid = () => new mongoose.Types.ObjectId().toHexString();
const DAY = 86_400_000;
const t0 = Date.now();
async function load(model, count, make, batch = 1000) {
  const began = Date.now();
  for (let i = 0; i < count; i += batch) {
    const docs = [];
    for (let j = i; j < Math.min(count, i + batch); j++) docs.push(make(j));
    await model.insertMany(docs, { ordered: false });
  }
  log(`loaded ${count} ${model.collection.collectionName} in ${((Date.now() - began) / 1000).toFixed(1)} s`);
}
const userIds = [];
await load(models.users, USERS, (i) => {
  const id = oid();
  userIds.push(id);
  return {
    _id: id,
    email: `user${i}@bench.test`,
    name: `User ${i}`,
    role: i % 50 === 0 ? 'ORGANIZER' : 'ATTENDEE',
    // an argon2id PHC string of the usual length (never verified here)
    passwordHash: `$argon2id$v=19$m=19456,t=2,p=1$${'c2FsdHNhbHRzYWx0c2FsdA'}$${'x'.repeat(43)}`,
    passwordChangedAt: new Date(t0 - (i % 365) * DAY),
    version: 1,
    outbox: [],
  };
});
const events = [];
await load(models.events, EVENTS, (i) => {
  const id = oid();
  const startsAt = new Date(t0 + (10 + (i % 300)) * DAY);
  const types = [0, 1].map((k) => ({
    id: oid(),
    name: k === 0 ? 'Standing' : 'Balcony',
    priceMinor: 2500 + 1000 * k,
    currency: 'EUR',
    kind: 'GENERAL_ADMISSION',
    quantity: 500,
    seatIds: [],
    perOrderMax: 10,
    perBuyerMax: 10,
    salesStartAt: null,
    salesEndAt: null,
    pricing: { type: 'FIXED' },
    version: 1,
    createdAt: new Date(t0 - DAY),
    updatedAt: new Date(t0 - DAY),
  }));
  events.push({ id, organizerId: userIds[(i * 50) % USERS], types });
  const city = ['Berlin', 'Paris', 'Lisbon', 'Oslo', 'Rome'][i % 5];
  return {
    _id: id,
    organizerId: userIds[(i * 50) % USERS],
    title: `Concert number ${i}`,
    description: 'An evening of music. '.repeat(10),
    category: 'MUSIC',
    venue: { name: `Hall ${i % 40}`, address: `${i} Main Street`, city, capacity: 1000, seatMap: null },
    startsAt,
    endsAt: new Date(startsAt.getTime() + 3 * 3600_000),
    endHour: Math.floor((startsAt.getTime() + 3 * 3600_000) / 3600_000),
    timeZone: 'Europe/Berlin',
    status: 'PUBLISHED',
    salesStartAt: null,
    salesEndAt: null,
    transferPolicy: { allowed: true, deadline: null },
    ticketTypes: types,
    allocated: 1000,
    searchTerms: ['concert', 'number', String(i), city.toLowerCase()],
    cityKey: city.toLowerCase(),
    publishedAt: new Date(t0 - DAY),
    version: 2,
    createdAt: new Date(t0 - 2 * DAY),
    updatedAt: new Date(t0 - DAY),
  };
});
const purchase = (i) => {
  const e = events[i % EVENTS];
  const type = e.types[i % 2];
  const buyerId = userIds[(i * 7) % USERS];
  const at = new Date(t0 - (i % 30) * DAY);
  return { i, e, type, buyerId, at, reservationId: `r${i}`, orderId: `o${i}`, ticketId: `t${i}` };
};
const money = (p) => ({ amount: p.type.priceMinor, currency: 'EUR' });
await load(models.reservations, PURCHASES, (i) => {
  const p = purchase(i);
  return {
    _id: p.reservationId,
    status: 'CONVERTED',
    eventId: p.e.id,
    ticketTypeId: p.type.id,
    kind: 'GENERAL_ADMISSION',
    buyerId: p.buyerId,
    quantity: 1,
    seatIds: [],
    unitPrice: money(p),
    expiresAt: new Date(p.at.getTime() + 600_000),
    orderId: p.orderId,
    stockReturned: null,
    endedAt: null,
    version: 2,
    outbox: [],
    createdAt: p.at,
    updatedAt: p.at,
  };
});
await load(models.orders, PURCHASES, (i) => {
  const p = purchase(i);
  return {
    _id: p.orderId,
    reservationId: p.reservationId,
    eventId: p.e.id,
    buyerId: p.buyerId,
    buyerName: `User ${i}`,
    status: 'CONFIRMED',
    lines: [
      { ticketTypeId: p.type.id, ticketTypeName: p.type.name, quantity: 1, seatIds: [], unitPrice: money(p) },
    ],
    total: money(p),
    ticketIds: [p.ticketId],
    attempt: 1,
    chargeId: `ch_${i}`,
    confirmedAt: p.at,
    version: 2,
    outbox: [],
    createdAt: p.at,
    updatedAt: p.at,
  };
});
await load(models.tickets, PURCHASES, (i) => {
  const p = purchase(i);
  return {
    _id: p.ticketId,
    orderId: p.orderId,
    eventId: p.e.id,
    ticketTypeId: p.type.id,
    ticketTypeName: p.type.name,
    seatId: null,
    seatKey: p.ticketId,
    holderId: p.buyerId,
    holderName: `User ${i}`,
    generation: 1,
    status: 'VALID',
    checkedIn: false,
    pendingTransferId: null,
    revokedGenerations: [],
    history: [{ at: p.at, action: 'ISSUED', holderId: p.buyerId, generation: 1 }],
    aggregateVersion: 1,
    issuedAt: p.at,
    outbox: [],
  };
});
// What the consumers of a busy platform remember: one processed message per purchase.
{
  const coll = conns.ticket.collection('processed_messages');
  await coll.createIndex({ hour: 1 });
  for (let i = 0; i < PURCHASES; i += 1000) {
    const docs = [];
    for (let j = i; j < Math.min(PURCHASES, i + 1000); j++) {
      const at = new Date(t0 - (j % 14) * DAY);
      docs.push({
        _id: `ticket.catalog:${oid()}`,
        group: 'ticket.catalog',
        eventId: oid(),
        processedAt: at,
        hour: Math.floor(at.getTime() / 3600_000),
      });
    }
    await coll.insertMany(docs, { ordered: false });
  }
  log(`loaded ${PURCHASES} processed_messages`);
}
for (const c of Object.values(conns)) await c.close();

// ---------------------------------------------------------------- the services
await testing.ensureTopics(ctx);
const env = (svc) => ({
  ...ctx.env,
  MONGO_URL,
  MONGO_DB: dbOf(svc),
  LOG_LEVEL: 'warn',
  NODE_ENV: 'development',
});
const svcDir = (svc) => join(ROOT, 'services', svc);
const auth = await testing.startService(svcDir('auth'), env('auth'), { readyTimeoutMs: 120_000 });
started.push(() => auth.stop(10_000));
const jwks = `${auth.url}/.well-known/jwks.json`;
const event = await testing.startService(
  svcDir('event'),
  { ...env('event'), AUTH_JWKS_URL: jwks },
  { readyTimeoutMs: 120_000 },
);
started.push(() => event.stop(10_000));
const ticket = await testing.startService(
  svcDir('ticket'),
  { ...env('ticket'), AUTH_JWKS_URL: jwks },
  { readyTimeoutMs: 120_000 },
);
started.push(() => ticket.stop(10_000));
const others = {};
for (const svc of extra) {
  others[svc] = await testing.startService(
    svcDir(svc),
    { ...env(svc), AUTH_JWKS_URL: jwks, TICKET_URL: `${ticket.url}/graphql` },
    { readyTimeoutMs: 120_000 },
  );
  started.push(() => others[svc].stop(10_000));
}
const gateway = await testing.startService(
  svcDir('gateway'),
  {
    ...ctx.env,
    LOG_LEVEL: 'warn',
    AUTH_JWKS_URL: jwks,
    AUTH_URL: `${auth.url}/graphql`,
    EVENT_URL: `${event.url}/graphql`,
    TICKET_URL: `${ticket.url}/graphql`,
    ...Object.fromEntries(extra.map((svc) => [`${svc.toUpperCase()}_URL`, `${others[svc].url}/graphql`])),
  },
  { readyTimeoutMs: 120_000 },
);
started.push(() => gateway.stop(10_000));
log(`services ready; settling ${SETTLE} s`);
await testing.sleep(SETTLE * 1000);

// ---------------------------------------------------------------- measure
function cpuTicks(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime
  } catch {
    return 0;
  }
}
const stackPid = (name) => {
  try {
    return Number(readFileSync(join(repo, '.data/run', `${name}.pid`), 'utf8').split('\n')[0]);
  } catch {
    return 0;
  }
};
const procs = () => ({
  auth: [auth.child.pid],
  event: [event.child.pid],
  ticket: [ticket.child.pid],
  ...Object.fromEntries(extra.map((svc) => [`${svc} (empty)`, [others[svc].child.pid]])),
  gateway: [gateway.child.pid],
  ferretdb: [ferret.pid],
  postgresql: pgPids(),
  'redis (shared)': [stackPid('redis')],
  'kafka (shared)': [stackPid('kafka')],
});
const sampleCpu = () => {
  const out = {};
  // postgres backends come and go; the sum over the current ones plus the pids seen at the start is what we
  // can read from /proc (exited backends' time is lost; connections are pooled, so few exit).
  for (const [name, pids] of Object.entries(procs()))
    out[name] = Object.fromEntries(pids.map((p) => [p, cpuTicks(p)]));
  return out;
};
const tableStats = () => {
  const rows = psql(
    `select schemaname || '.' || relname, seq_scan, seq_tup_read, coalesce(idx_scan,0), coalesce(idx_tup_fetch,0), n_live_tup from pg_stat_user_tables where relname not like '\\_ferretdb%'`,
  );
  const out = {};
  for (const line of rows.split('\n').filter(Boolean)) {
    const [name, seq, seqRows, idx, idxRows, live] = line.split('\t');
    out[name.replace(/_[0-9a-f]{8}$/, '')] = {
      seq: +seq,
      seqRows: +seqRows,
      idx: +idx,
      idxRows: +idxRows,
      live: +live,
    };
  }
  return out;
};
psql('select pg_stat_clear_snapshot()');
const cpu0 = sampleCpu();
const tab0 = tableStats();
const w0 = Date.now();
await testing.sleep(SECONDS * 1000);
const cpu1 = sampleCpu();
const tab1 = tableStats();
const wall = (Date.now() - w0) / 1000;

const cpuRows = [];
let total = 0;
for (const [name, pids] of Object.entries(cpu1)) {
  let ticks = 0;
  for (const [pid, t] of Object.entries(pids)) ticks += t - (cpu0[name]?.[pid] ?? 0);
  const secs = ticks / TICK;
  if (!name.includes('shared')) total += secs;
  cpuRows.push([name, secs]);
}
const tabRows = Object.entries(tab1)
  .map(([name, s]) => {
    const b = tab0[name] ?? { seq: 0, seqRows: 0, idx: 0, idxRows: 0 };
    return {
      name: name
        .split('.')
        .slice(1)
        .join('.')
        .replace(/^/, `${name.split('.')[0].replace(ctx.dbName + '_', '')}.`),
      live: s.live,
      seq: (s.seq - b.seq) / wall,
      seqRows: (s.seqRows - b.seqRows) / wall,
      idx: (s.idx - b.idx) / wall,
      idxRows: (s.idxRows - b.idxRows) / wall,
    };
  })
  .filter((r) => r.seq > 0 || r.idx > 0 || r.live >= 1000)
  .sort((a, b) => b.seqRows + b.idxRows - (a.seqRows + a.idxRows));
const docsRead = tabRows.reduce((s, r) => s + r.seqRows + r.idxRows, 0);
const fullScans = tabRows.filter((r) => r.live >= 1000 && r.seq > 0);

const f1 = (v) => v.toFixed(1);
const f2 = (v) => v.toFixed(2);
const lines = [];
lines.push(
  `### ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC — ${ROOT === repo ? 'this tree' : ROOT}`,
);
lines.push('');
lines.push(
  `\`node bench/at-rest/run.mjs --users ${USERS} --events ${EVENTS} --purchases ${PURCHASES} --seconds ${SECONDS} --settle ${SETTLE}${ROOT === repo ? '' : ` --root ${ROOT}`}${arg('ferretdb', '') ? ` --ferretdb ${ferretBin.split('/').pop()}` : ''}\``,
);
lines.push('');
lines.push(
  `Server: ${ferretBin.split('/').pop()} on a private PostgreSQL cluster; ${os.cpus().length} cores; ${wall.toFixed(0)} s at rest after ${SETTLE} s of settling.`,
);
lines.push('');
lines.push('| Process | CPU s | % of one core |');
lines.push('|---|---:|---:|');
for (const [name, secs] of cpuRows) lines.push(`| ${name} | ${f2(secs)} | ${f1((100 * secs) / wall)} % |`);
const sharedSecs = cpuRows
  .filter(([name]) => name.includes('shared'))
  .reduce((sum, [, secs]) => sum + secs, 0);
lines.push(
  `| **stack (without the shared Kafka and Redis)** | **${f2(total)}** | **${f1((100 * total) / wall)} %** |`,
);
lines.push(
  `| **whole stack (with Kafka and Redis)** | **${f2(total + sharedSecs)}** | **${f1((100 * (total + sharedSecs)) / wall)} %** |`,
);
lines.push('');
lines.push(
  `Rows read per second (sequential + index, PostgreSQL statistics): **${f1(docsRead)}**; full scans of a collection holding 1,000 documents or more: **${fullScans.length === 0 ? 'none' : fullScans.map((r) => `${r.name} (${f2(r.seq)}/s)`).join(', ')}**.`,
);
lines.push('');
lines.push(
  '| Collection | documents | seq scans/s | rows read by seq scans/s | index scans/s | rows fetched by index/s |',
);
lines.push('|---|---:|---:|---:|---:|---:|');
for (const r of tabRows)
  lines.push(`| ${r.name} | ${r.live} | ${f2(r.seq)} | ${f1(r.seqRows)} | ${f2(r.idx)} | ${f1(r.idxRows)} |`);
console.log(lines.join('\n'));
const jsonFile = arg('json', null);
if (jsonFile) {
  const percent = (secs) => (100 * secs) / wall;
  writeFileSync(
    jsonFile,
    JSON.stringify(
      {
        scenario: 'at-rest',
        command: `node bench/at-rest/run.mjs --users ${USERS} --events ${EVENTS} --purchases ${PURCHASES} --seconds ${SECONDS} --settle ${SETTLE}`,
        finishedAt: new Date().toISOString(),
        data: { users: USERS, events: EVENTS, purchases: PURCHASES },
        rows: [],
        atRest: {
          seconds: wall,
          cpuPercent: Object.fromEntries(cpuRows.map(([name, secs]) => [name, percent(secs)])),
          stackPercent: percent(total),
          wholePercent: percent(total + sharedSecs),
          rowsReadPerSecond: docsRead,
          fullScans: fullScans.length,
        },
      },
      null,
      2,
    ),
  );
}

// ---------------------------------------------------------------- the same sale on loaded and empty data
if (process.argv.includes('--flash-sale')) {
  for (const stop of started.splice(1).reverse()) await Promise.resolve(stop()).catch(() => undefined); // services
  const stock = num('sale-stock', 300, 5000);
  const rate = num('sale-rate', 50, 2000);
  const runs = num('sale-runs', 2, 10);
  const sale = (db) => {
    const args = [
      join(ROOT, 'bench/flash-sale/run.mjs'),
      '--stock',
      String(stock),
      '--rate',
      String(rate),
      '--no-report',
    ];
    if (db) args.push('--db', db);
    const r = spawnSync(process.execPath, args, { env: { ...process.env, MONGO_URL }, encoding: 'utf8' });
    const m = /purchases\/s \(first arrival → last purchase\) \| ([0-9.]+)/.exec(r.stdout ?? '');
    const o = /\*\*oversell count\*\* \| \*\*(\d+)\*\*/.exec(r.stdout ?? '');
    if (!m) throw new Error(`flash sale failed:\n${r.stdout}\n${r.stderr}`);
    return { rate: Number(m[1]), oversell: Number(o?.[1] ?? NaN) };
  };
  const loaded = [];
  const empty = [];
  for (let i = 0; i < runs; i++) {
    loaded.push(sale(dbs.ticket));
    empty.push(sale(undefined));
    log(`sale ${i + 1}: loaded ${loaded.at(-1).rate}/s, empty ${empty.at(-1).rate}/s`);
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const l = median(loaded.map((x) => x.rate));
  const e = median(empty.map((x) => x.rate));
  console.log('');
  console.log(
    `Flash sale on the same server (\`bench/flash-sale/run.mjs --stock ${stock} --rate ${rate}\`, ${runs} runs each, alternating):`,
  );
  console.log('');
  console.log('| Ticket database | purchases/s per run | median | oversold |');
  console.log('|---|---|---:|---:|');
  console.log(
    `| loaded (${PURCHASES} purchases stored) | ${loaded.map((x) => x.rate).join(', ')} | ${l} | ${loaded.map((x) => x.oversell).join(', ')} |`,
  );
  console.log(
    `| empty | ${empty.map((x) => x.rate).join(', ')} | ${e} | ${empty.map((x) => x.oversell).join(', ')} |`,
  );
  console.log('');
  console.log(`Difference of the medians: ${(((l - e) / e) * 100).toFixed(1)} %.`);
}

// ---------------------------------------------------------------- clean up
if (KEEP) {
  log(
    `--keep: leaving everything running (MONGO_URL ${MONGO_URL}, dbs ${Object.values(dbs).join(', ')}); Ctrl-C to stop`,
  );
  await new Promise(() => undefined);
}
for (const stop of started.reverse()) await Promise.resolve(stop()).catch(() => undefined);
process.exit(0);
