#!/usr/bin/env node
// Price propagation: purchase → new price visible to a client, through the gateway, under a background
// purchase load. Ticket, pricing and the gateway run from their dist/ as processes on the local stack and
// meet only through Kafka (order.confirmed → pricing → price.changed) and the federated graph.
//
//   make infra-up && npm run build -w @ticketing/contracts -w @ticketing/platform -w @ticketing/ticket \
//     -w @ticketing/pricing -w @ticketing/gateway
//   node bench/price-propagation/run.mjs [--types 4] [--background-rate 4] [--debounce 20]
//     [--pricing-dir services/pricing] [--gateway-dir services/gateway] [--out bench/price-propagation/REPORT.md]
//     [--no-report] [--json <file>]
// (--pricing-dir runs another build of the pricing service, e.g. an older commit's, for a before/after in one
// sitting; --out writes the generated report elsewhere; --no-report writes none; --json writes the figures
// for bench/run-all.mjs.)
//
// Each measured ticket type has a TIERED policy whose tier ends after every unit sold, so every purchase of
// it moves its price exactly once. For each purchase (reserve + checkout through the gateway) the clock
// starts when checkout answers and stops (a) when the gateway's priceChanged(eventId) subscription delivers
// that type's new version and (b) when a gateway read (pricingSettings, polled every 10 ms) returns it.
// Meanwhile background buyers purchase a FIXED type at --background-rate per second. Writes REPORT.md here
// (or --out). The split rows: price_history.at marks the repricing, the order.confirmed record's Kafka
// timestamp marks ticket's relay handing the order to Kafka.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { mongoServer } from '../lib/local-stack.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const testing = await import(join(root, 'packages/platform/dist/testing/index.js'));
const contracts = await import(join(root, 'packages/contracts/dist/index.js'));
const { Kafka, logLevel } = await import('kafkajs');
const { default: mongoose } = await import('mongoose');
const { createClient } = await import('graphql-ws');
const { default: WebSocket } = await import('ws');

const arg = (name, fallback, max) => {
  const i = process.argv.indexOf(`--${name}`);
  return Math.min(i === -1 ? fallback : Number(process.argv[i + 1]), max);
};
const types = arg('types', 4, 20);
const backgroundRate = arg('background-rate', 4, 100);
const debounce = arg('debounce', 20, 5000);
const optionOf = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const pricingDir = resolve(root, optionOf('pricing-dir', 'services/pricing'));
const gatewayDir = resolve(root, optionOf('gateway-dir', 'services/gateway'));
const outFile = resolve(optionOf('out', join(here, 'REPORT.md')));
const TIERS = 20; // the contract's maximum: 19 measured purchases per type
const MAX_BACKGROUND = 8;

const oid = () => new mongoose.Types.ObjectId().toHexString();
const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const sleep = (t) => new Promise((r) => setTimeout(r, t));

async function gql(url, query, variables, token) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

const ctx = testing.createTestContext('bench-price-propagation');
await testing.ensureTopics(ctx);
const pricingDb = `${ctx.dbName}_pricing`.slice(0, 60);
const issuer = await testing.createTestIssuer();
const [pricingPort, ticketPort, closedPort] = [
  await testing.freePort(),
  await testing.freePort(),
  await testing.freePort(),
];
const quiet = { ...ctx.env, LOG_LEVEL: 'error', AUTH_JWKS_URL: issuer.jwksUrl };
// A loaded machine boots Nest slowly: generous readiness timeouts, and whatever started is stopped (and the
// context dropped) when another service fails to start, so no process outlives the run.
const READY_MS = 120_000;
const started = await Promise.allSettled([
  testing.startService(
    pricingDir,
    { ...quiet, MONGO_DB: pricingDb, REPRICE_DEBOUNCE_MS: String(debounce) },
    { port: pricingPort, readyTimeoutMs: READY_MS },
  ),
  testing.startService(join(root, 'services/ticket'), quiet, { port: ticketPort, readyTimeoutMs: READY_MS }),
  testing.startService(
    gatewayDir,
    {
      ...quiet,
      AUTH_URL: `http://127.0.0.1:${closedPort}/graphql`,
      EVENT_URL: `http://127.0.0.1:${closedPort}/graphql`,
      CHECKIN_URL: `http://127.0.0.1:${closedPort}/graphql`,
      TICKET_URL: `http://127.0.0.1:${ticketPort}/graphql`,
      PRICING_URL: `http://127.0.0.1:${pricingPort}/graphql`,
      RATE_LIMIT_PER_MINUTE: '0',
    },
    { readyTimeoutMs: READY_MS },
  ),
]);
if (started.some((r) => r.status === 'rejected')) {
  await Promise.all(started.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
  await issuer.close();
  await testing.dropTestContext(ctx).catch(() => undefined);
  await testing
    .dropTestContext({ ...ctx, dbName: pricingDb }, { kafka: false, redis: false })
    .catch(() => undefined);
  throw started.find((r) => r.status === 'rejected').reason;
}
const [pricing, ticket, gateway] = started.map((r) => r.value);

let client;
let stopBackground = false;
try {
  const organizer = { id: oid(), email: 'org@bench.test', role: 'ORGANIZER', name: 'Bench Org' };
  const orgToken = await issuer.sign(organizer, { expiresIn: 1800 });
  const eventId = oid();
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const window = {
    salesStart: new Date(now - day).toISOString(),
    salesEnd: new Date(now + 30 * day).toISOString(),
  };
  const typeBase = (ticketTypeId, name, quantity, pricingPolicy) => ({
    ticketTypeId,
    eventId,
    name,
    kind: 'GENERAL_ADMISSION',
    quantity,
    basePrice: { amount: 5000, currency: 'EUR' },
    perOrderMax: 1,
    // Above 1: a hold whose answer was lost to a gateway timeout must not block the same buyer's retry.
    perBuyerMax: 5,
    ...window,
    pricingPolicy,
    aggregateVersion: 1,
  });
  const measuredIds = Array.from({ length: types }, () => oid());
  const backgroundId = oid();
  const tiered = {
    kind: 'TIERED',
    tiers: Array.from({ length: TIERS }, (_, i) => ({
      price: { amount: 5000 + 100 * i, currency: 'EUR' },
      ...(i < TIERS - 1 ? { untilSold: i + 1 } : {}),
    })),
  };
  const envelope = contracts.newEnvelope(
    'event.published',
    eventId,
    {
      eventId,
      organizerId: organizer.id,
      title: 'Price Propagation',
      category: 'music',
      startsAt: new Date(now + 40 * day).toISOString(),
      endsAt: new Date(now + 40 * day + 3600_000).toISOString(),
      timezone: 'UTC',
      venue: { name: 'Bench Hall', city: 'Berlin', capacity: 100_000 },
      ...window,
      transferPolicy: { allowed: true, deadline: null },
      ticketTypes: [
        typeBase(backgroundId, 'Background', 50_000, { kind: 'FIXED' }),
        ...measuredIds.map((id, i) => typeBase(id, `Measured ${i + 1}`, 100, tiered)),
      ],
      status: 'PUBLISHED',
      publishedAt: new Date(now).toISOString(),
      aggregateVersion: 1,
    },
    { source: 'event' },
  );
  const kafka = new Kafka({
    clientId: 'bench-price',
    brokers: ctx.env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: ctx.topicPrefix + contracts.TOPICS.events,
    messages: [{ key: eventId, value: JSON.stringify(envelope) }],
  });
  await producer.disconnect();

  const SETTINGS = 'query($t: ID!) { pricingSettings(ticketTypeId: $t) { price { amount version } } }';
  const readCallMs = []; // how long one gateway read takes (while measuring)
  const versionOf = async (typeId, timed = false) => {
    const started = performance.now();
    const body = await gql(gateway.url, SETTINGS, { t: typeId }, orgToken);
    if (timed) readCallMs.push(performance.now() - started);
    return body.data?.pricingSettings?.price?.version ?? 0;
  };
  for (const id of measuredIds) {
    for (let i = 0; (await versionOf(id)) < 1; i++) {
      if (i > 300) throw new Error('pricing never priced the measured types');
      await sleep(100);
    }
  }

  // Live updates through the gateway.
  const seen = new Map(); // `${typeId}:${version}` -> arrival time
  const waiters = new Map();
  client = createClient({ url: `${gateway.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket });
  client.subscribe(
    {
      query: 'subscription($e: ID!) { priceChanged(eventId: $e) { ticketTypeId version } }',
      variables: { e: eventId },
    },
    {
      next: (m) => {
        const key = `${m.data.priceChanged.ticketTypeId}:${m.data.priceChanged.version}`;
        seen.set(key, performance.now());
        waiters.get(key)?.();
      },
      error: (e) => console.error('subscription error', e),
      complete: () => undefined,
    },
  );
  await sleep(500);

  let checkoutRetries = 0;
  const buy = async (typeId, key) => {
    const u = { id: oid(), email: `b-${key}@bench.test`, role: 'ATTENDEE', name: 'Buyer' };
    const token = await issuer.sign(u, { expiresIn: 1800 });
    for (let attempt = 0; ; attempt++) {
      const held = await gql(
        gateway.url,
        'mutation($i: ReserveTicketsInput!) { reserveTickets(input: $i) { id } }',
        { i: { ticketTypeId: typeId, quantity: 1 } },
        token,
      );
      if (held.errors) {
        if (attempt < 50) {
          await sleep(100); // ticket may not know the type yet
          continue;
        }
        throw new Error(`reserve: ${held.errors[0].message}`);
      }
      // A refused or timed-out checkout is retried with the same idempotency key, as a client would (the
      // gateway answers a slow subgraph with a retryable error on a loaded machine).
      for (let retry = 0; ; retry++) {
        const paid = await gql(
          gateway.url,
          'mutation($i: CheckoutInput!) { checkout(input: $i) { status } }',
          {
            i: {
              reservationId: held.data.reserveTickets.id,
              paymentToken: 'tok_success',
              idempotencyKey: `bench-${key}`,
            },
          },
          token,
        );
        if (!paid.errors) break;
        if (retry >= 5) throw new Error(`checkout: ${paid.errors[0].message}`);
        checkoutRetries += 1;
        await sleep(200);
      }
      return u.id;
    }
  };

  // Background load on the FIXED type, open model.
  let backgroundDone = 0;
  let backgroundFailed = 0;
  let backgroundDropped = 0;
  const background = (async () => {
    const inflight = [];
    let open = 0;
    for (let i = 0; !stopBackground; i++) {
      // Open model with a cap: an arrival while MAX_BACKGROUND are in flight is dropped (and counted), so an
      // overloaded machine does not turn the background into an ever-growing queue in front of the samples.
      if (open >= MAX_BACKGROUND) backgroundDropped += 1;
      else {
        open += 1;
        inflight.push(
          buy(backgroundId, `bg-${i}-key`)
            .then(
              () => (backgroundDone += 1),
              () => (backgroundFailed += 1),
            )
            .finally(() => (open -= 1)),
        );
      }
      await sleep(1000 / backgroundRate);
    }
    await Promise.all(inflight);
  })();
  const loadStarted = performance.now();
  await sleep(2000);

  const subMs = [];
  const readMs = [];
  // Where the time goes: checkout → pricing's repricing (price_history.at: relay, Kafka, consumer, debounce)
  // and repricing → subscription (write, Redis, gateway).
  const toRepriceMs = [];
  const repriceToSubMs = [];
  const repriceToReadMs = [];
  const measured = []; // { buyerId, t0Wall, repricedAt } per purchase, to split checkout → reprice below
  const pricingConn = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: pricingDb }).asPromise();
  let missed = 0;
  for (const typeId of measuredIds) {
    for (let sold = 1; sold < TIERS; sold++) {
      const version = sold + 1; // version 1 is the initial price; each sale moves one tier
      const key = `${typeId}:${version}`;
      const arrived = new Promise((r) => waiters.set(key, r));
      const buyerId = await buy(typeId, `m-${typeId}-${sold}`);
      const t0 = performance.now();
      const t0Wall = Date.now();
      const readDone = (async () => {
        for (let i = 0; i < 1000; i++) {
          if ((await versionOf(typeId, true)) >= version) return performance.now() - t0;
          await sleep(10);
        }
        return NaN;
      })();
      const subDone = Promise.race([arrived.then(() => seen.get(key) - t0), sleep(10_000).then(() => NaN)]);
      const [sub, read] = await Promise.all([subDone, readDone]);
      waiters.delete(key);
      if (Number.isNaN(sub)) missed += 1;
      else subMs.push(Math.max(0, sub));
      if (!Number.isNaN(read)) readMs.push(read);
      const entry = await pricingConn.collection('price_history').findOne({ _id: `${typeId}:${version}` });
      if (entry) {
        const repricedAfter = new Date(entry.at).getTime() - t0Wall;
        toRepriceMs.push(Math.max(0, repricedAfter));
        if (!Number.isNaN(sub)) repriceToSubMs.push(Math.max(0, sub - repricedAfter));
        if (!Number.isNaN(read)) repriceToReadMs.push(Math.max(0, read - repricedAfter));
        measured.push({ buyerId, t0Wall, repricedAt: new Date(entry.at).getTime() });
      }
    }
  }
  stopBackground = true;
  await background;
  await pricingConn.close();

  // checkout → reprice split at the Kafka append of the order's order.confirmed (the record's timestamp,
  // set by ticket's relay when it produces): before it is ticket's relay, after it pricing's consumer, fold
  // and debounce. Same machine, same clock.
  const appendedAt = new Map(); // buyerId -> record timestamp
  const ordersConsumer = kafka.consumer({ groupId: `${ctx.groupPrefix}bench-orders-${Date.now()}` });
  await ordersConsumer.connect();
  await ordersConsumer.subscribe({ topic: ctx.topicPrefix + contracts.TOPICS.orders, fromBeginning: true });
  const wanted = new Set(measured.map((m) => m.buyerId));
  await ordersConsumer.run({
    eachMessage: async ({ message }) => {
      const envelope = JSON.parse(message.value.toString('utf8'));
      const buyerId = envelope.type === 'order.confirmed' ? envelope.data.buyerId : undefined;
      if (wanted.has(buyerId) && !appendedAt.has(buyerId)) appendedAt.set(buyerId, Number(message.timestamp));
    },
  });
  for (let i = 0; i < 300 && appendedAt.size < wanted.size; i++) await sleep(50);
  await ordersConsumer.disconnect();
  const relayMs = [];
  const kafkaToRepriceMs = [];
  for (const m of measured) {
    const at = appendedAt.get(m.buyerId);
    if (at === undefined) continue;
    relayMs.push(Math.max(0, at - m.t0Wall));
    kafkaToRepriceMs.push(Math.max(0, m.repricedAt - at));
  }
  relayMs.sort((a, b) => a - b);
  kafkaToRepriceMs.sort((a, b) => a - b);
  repriceToReadMs.sort((a, b) => a - b);
  toRepriceMs.sort((a, b) => a - b);
  repriceToSubMs.sort((a, b) => a - b);
  const loadSeconds = (performance.now() - loadStarted) / 1000;

  subMs.sort((a, b) => a - b);
  readMs.sort((a, b) => a - b);
  readCallMs.sort((a, b) => a - b);
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const report = `# Price propagation — purchase to a new price a client sees

Command: \`node bench/price-propagation/run.mjs --types ${types} --background-rate ${backgroundRate} --debounce ${debounce}${pricingDir === resolve(root, 'services/pricing') ? '' : ` --pricing-dir ${pricingDir}`}${gatewayDir === resolve(root, 'services/gateway') ? '' : ` --gateway-dir ${gatewayDir}`}\`
Date: ${new Date().toISOString()}
Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average at start-up ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}
(shared development machine; the MongoDB-compatible server: ${mongoServer(root)})

Path: checkout answers (ticket, through the gateway) → order.confirmed in the order's outbox → ticket's relay
→ Kafka \`ticket.orders\` → pricing's consumer (window bucket + totals, repricing scheduled after
REPRICE_DEBOUNCE_MS=${debounce}) → guarded price update with price.changed in the outbox → Redis
\`prices:<eventId>\` → the gateway's \`priceChanged(eventId)\` subscription; and the same change on a gateway
read (\`pricingSettings\`, polled every 10 ms, so up to 10 ms coarser). ${types} TIERED types whose tier ends
after every unit, ${subMs.length + missed} measured purchases one after another, while background buyers purchase a
FIXED type at ${backgroundRate}/s (${backgroundDone} purchased, ${backgroundFailed} failed, ${backgroundDropped} arrivals dropped at ${MAX_BACKGROUND} in flight,
over ${loadSeconds.toFixed(0)} s; ${checkoutRetries} checkouts retried with their idempotency key).

| Figure | p50 (ms) | p95 (ms) | p99 (ms) | samples |
|---|---|---|---|---|
| purchase → subscription update (gateway, graphql-ws) | ${ms(pct(subMs, 50))} | ${ms(pct(subMs, 95))} | ${ms(pct(subMs, 99))} | ${subMs.length} (${missed} missed) |
| purchase → gateway read shows the new price | ${ms(pct(readMs, 50))} | ${ms(pct(readMs, 95))} | ${ms(pct(readMs, 99))} | ${readMs.length} |
| of which: checkout → pricing reprices (relay, Kafka, consumer, debounce) | ${ms(pct(toRepriceMs, 50))} | ${ms(pct(toRepriceMs, 95))} | ${ms(pct(toRepriceMs, 99))} | ${toRepriceMs.length} |
| … checkout → order.confirmed appended to Kafka (ticket's outbox relay) | ${ms(pct(relayMs, 50))} | ${ms(pct(relayMs, 95))} | ${ms(pct(relayMs, 99))} | ${relayMs.length} |
| … appended → pricing reprices (pricing's consumer, fold, debounce) | ${ms(pct(kafkaToRepriceMs, 50))} | ${ms(pct(kafkaToRepriceMs, 95))} | ${ms(pct(kafkaToRepriceMs, 99))} | ${kafkaToRepriceMs.length} |
| of which: reprice → subscription update (write, Redis, gateway) | ${ms(pct(repriceToSubMs, 50))} | ${ms(pct(repriceToSubMs, 95))} | ${ms(pct(repriceToSubMs, 99))} | ${repriceToSubMs.length} |
| of which: reprice → a gateway read shows it (write, poll, one read) | ${ms(pct(repriceToReadMs, 50))} | ${ms(pct(repriceToReadMs, 95))} | ${ms(pct(repriceToReadMs, 99))} | ${repriceToReadMs.length} |
| one gateway read (\`pricingSettings\`, each poll) | ${ms(pct(readCallMs, 50))} | ${ms(pct(readCallMs, 95))} | ${ms(pct(readCallMs, 99))} | ${readCallMs.length} |

Target: p95 ≤ 250 ms on the 2-core machine.
`;
  // --no-report leaves REPORT.md as it is; --json <file> writes the figures for bench/run-all.mjs, which reads
  // CPU and RSS per process from /proc itself over `window` (background load's start → end of measuring).
  if (!process.argv.includes('--no-report')) writeFileSync(outFile, report);
  const jsonFile = optionOf('json', null);
  if (jsonFile) {
    const row = (key, label, sorted, extra = {}) => ({
      key,
      label,
      latency: { latency: { p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99) } },
      count: sorted.length,
      ...extra,
    });
    const windowEnd = Date.now();
    const json = {
      scenario: 'price-propagation',
      command: `node bench/price-propagation/run.mjs --types ${types} --background-rate ${backgroundRate} --debounce ${debounce}`,
      finishedAt: new Date().toISOString(),
      unit: 'purchases',
      rows: [
        row('subscription', 'purchase → subscription update (gateway, graphql-ws)', subMs, {
          errors: missed,
        }),
        row('read', 'purchase → gateway read shows the new price', readMs),
        row('to-reprice', 'of which: checkout → pricing reprices', toRepriceMs),
        row('relay', '… checkout → order.confirmed appended to Kafka (ticket relay)', relayMs),
        row('kafka-to-reprice', '… appended → pricing reprices (consumer, fold, debounce)', kafkaToRepriceMs),
        row('reprice-to-sub', 'of which: reprice → subscription update', repriceToSubMs),
        row('reprice-to-read', 'of which: reprice → a gateway read shows it', repriceToReadMs),
        row('read-call', 'one gateway read (`pricingSettings`, each poll)', readCallMs, {
          values: {
            'background purchases': backgroundDone,
            'background failed': backgroundFailed,
            'background dropped': backgroundDropped,
            'checkouts retried': checkoutRetries,
          },
        }),
      ],
      window: [windowEnd - (performance.now() - loadStarted), windowEnd],
      operations: subMs.length + missed + backgroundDone,
    };
    writeFileSync(jsonFile, JSON.stringify(json, null, 2));
  }
  process.stdout.write(report);
} catch (error) {
  process.stderr.write(
    `ticket log tail:\n${ticket.output().slice(-3000)}\npricing log tail:\n${pricing.output().slice(-2000)}\n`,
  );
  throw error;
} finally {
  stopBackground = true;
  await client?.dispose();
  await Promise.all([gateway.stop(), ticket.stop(), pricing.stop()]);
  await issuer.close();
  await testing.dropTestContext(ctx).catch((e) => console.error('cleanup failed', e.message));
  await testing
    .dropTestContext({ ...ctx, dbName: pricingDb }, { kafka: false, redis: false })
    .catch((e) => console.error('cleanup failed', e.message));
}
