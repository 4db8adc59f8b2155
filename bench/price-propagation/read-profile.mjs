#!/usr/bin/env node
// Where one price read's time goes: the same read through the gateway, straight to the pricing subgraph (from
// its Redis read copies, and with them deleted first), and its parts on their own (the MongoDB lookups and
// Redis reads from this process), sequentially, no load.
//
//   node bench/price-propagation/read-profile.mjs [--reads 300] [--pricing-dir services/pricing]
//     [--gateway-dir services/gateway] [--cpu-prof <dir>]
// (--cpu-prof starts pricing with --cpu-prof, the .cpuprofile lands in <dir> when it stops.)
//
// Pricing and the gateway run from their dist/ on the local stack. One event with one TIERED type is
// published on Kafka; once priced, each row below is `--reads` sequential calls after 50 warm-up calls.
import { performance } from 'node:perf_hooks';
import { dirname, join, resolve } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const testing = await import(join(root, 'packages/platform/dist/testing/index.js'));
const contracts = await import(join(root, 'packages/contracts/dist/index.js'));
const { Kafka, logLevel } = await import('kafkajs');
const { default: mongoose } = await import('mongoose');
const { default: Redis } = await import('ioredis');

const optionOf = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const reads = Math.min(Number(optionOf('reads', 300)), 5000);
const pricingDir = resolve(root, optionOf('pricing-dir', 'services/pricing'));
const gatewayDir = resolve(root, optionOf('gateway-dir', 'services/gateway'));
const cpuProf = optionOf('cpu-prof', null);
const WARM_UP = 50;

const oid = () => new mongoose.Types.ObjectId().toHexString();
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const sleep = (t) => new Promise((r) => setTimeout(r, t));

async function gql(url, query, variables, token) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      // Subgraphs refuse a POST without it as a CSRF guard; the gateway sends it too.
      'apollo-require-preflight': 'true',
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors[0]));
  return body;
}

const ctx = testing.createTestContext('bench-price-read');
await testing.ensureTopics(ctx);
const pricingDb = `${ctx.dbName}_pricing`.slice(0, 60);
const issuer = await testing.createTestIssuer();
const [pricingPort, closedPort] = [await testing.freePort(), await testing.freePort()];
const quiet = { ...ctx.env, LOG_LEVEL: 'error', AUTH_JWKS_URL: issuer.jwksUrl };
const pricing = await testing.startService(
  pricingDir,
  { ...quiet, MONGO_DB: pricingDb },
  {
    port: pricingPort,
    readyTimeoutMs: 120_000,
    nodeArgs: cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${resolve(cpuProf)}`] : [],
  },
);
const gateway = await testing.startService(
  gatewayDir,
  {
    ...quiet,
    AUTH_URL: `http://127.0.0.1:${closedPort}/graphql`,
    EVENT_URL: `http://127.0.0.1:${closedPort}/graphql`,
    CHECKIN_URL: `http://127.0.0.1:${closedPort}/graphql`,
    TICKET_URL: `http://127.0.0.1:${closedPort}/graphql`,
    PRICING_URL: `http://127.0.0.1:${pricingPort}/graphql`,
    RATE_LIMIT_PER_MINUTE: '0',
  },
  { readyTimeoutMs: 120_000 },
);

const mongo = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: pricingDb }).asPromise();
const redis = new Redis(ctx.env.REDIS_URL);
try {
  const organizer = { id: oid(), email: 'org@bench.test', role: 'ORGANIZER', name: 'Bench Org' };
  const token = await issuer.sign(organizer, { expiresIn: 1800 });
  const eventId = oid();
  const typeId = oid();
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const window = {
    salesStart: new Date(now - day).toISOString(),
    salesEnd: new Date(now + 30 * day).toISOString(),
  };
  const envelope = contracts.newEnvelope(
    'event.published',
    eventId,
    {
      eventId,
      organizerId: organizer.id,
      title: 'Price Read',
      category: 'music',
      startsAt: new Date(now + 40 * day).toISOString(),
      endsAt: new Date(now + 40 * day + 3600_000).toISOString(),
      timezone: 'UTC',
      venue: { name: 'Bench Hall', city: 'Berlin', capacity: 1000 },
      ...window,
      transferPolicy: { allowed: true, deadline: null },
      ticketTypes: [
        {
          ticketTypeId: typeId,
          eventId,
          name: 'Measured',
          kind: 'GENERAL_ADMISSION',
          quantity: 100,
          basePrice: { amount: 5000, currency: 'EUR' },
          perOrderMax: 1,
          perBuyerMax: 5,
          ...window,
          pricingPolicy: {
            kind: 'TIERED',
            tiers: [
              { price: { amount: 5000, currency: 'EUR' }, untilSold: 10 },
              { price: { amount: 6000, currency: 'EUR' } },
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
  );
  const kafka = new Kafka({
    clientId: 'bench-price-read',
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
  const ENTITY =
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on TicketType { price { amount version } } } }';
  for (let i = 0; ; i++) {
    const body = await gql(gateway.url, SETTINGS, { t: typeId }, token).catch(() => null);
    if (body?.data?.pricingSettings?.price?.version >= 1) break;
    if (i > 300) throw new Error('pricing never priced the type');
    await sleep(100);
  }

  // pricing's Redis read copies (services/pricing/src/common/read-copies.service.ts).
  const typeCopy = `${ctx.redisPrefix}pricing:price:${typeId}`;
  const ownerCopy = `${ctx.redisPrefix}pricing:owner:${eventId}`;
  const prices = mongo.collection('ticket_prices');
  const owners = mongo.collection('event_owners');
  const rows = [
    ['gateway: `pricingSettings` (organizer)', () => gql(gateway.url, SETTINGS, { t: typeId }, token)],
    ['gateway: `{ __typename }` (no subgraph call)', () => gql(gateway.url, '{ __typename }', {}, token)],
    [
      'pricing subgraph: `pricingSettings` (organizer)',
      () => gql(pricing.url, SETTINGS, { t: typeId }, token),
    ],
    [
      'pricing subgraph: `_entities` `TicketType.price` (public)',
      () => gql(pricing.url, ENTITY, { r: [{ __typename: 'TicketType', id: typeId }] }),
    ],
    ['pricing subgraph: `{ __typename }` (public)', () => gql(pricing.url, '{ __typename }', {})],
    [
      'pricing subgraph: `pricingSettings`, both read copies deleted first (miss: MongoDB, then refilled)',
      () => gql(pricing.url, SETTINGS, { t: typeId }, token),
      () => redis.del(typeCopy, ownerCopy),
    ],
    ['MongoDB: `ticket_prices` findOne by _id', () => prices.findOne({ _id: typeId })],
    ['MongoDB: `event_owners` findOne by _id', () => owners.findOne({ _id: eventId })],
    ["Redis: HGET of the type's read copy", () => redis.hget(typeCopy, 'd')],
    ['Redis: GET (one key)', () => redis.get(`${ctx.redisPrefix}bench`)],
  ];
  const out = [];
  for (const [name, call, before] of rows) {
    for (let i = 0; i < WARM_UP; i++) {
      await before?.();
      await call();
    }
    const times = [];
    for (let i = 0; i < reads; i++) {
      // Untimed: lets the previous call's refill land, then clears what this row wants missing.
      if (before) await sleep(5).then(before);
      const t0 = performance.now();
      await call();
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    out.push(
      `| ${name} | ${[50, 95, 99].map((p) => pct(times, p).toFixed(2)).join(' | ')} | ${times.length} |`,
    );
  }
  process.stdout.write(
    `${new Date().toISOString()}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )}\n\n| One call, sequential | p50 (ms) | p95 (ms) | p99 (ms) | calls |\n|---|---|---|---|---|\n${out.join('\n')}\n`,
  );
} finally {
  await mongo.close();
  redis.disconnect();
  await Promise.all([gateway.stop(), pricing.stop()]);
  await issuer.close();
  await testing.dropTestContext(ctx).catch((e) => console.error('cleanup failed', e.message));
  await testing
    .dropTestContext({ ...ctx, dbName: pricingDb }, { kafka: false, redis: false })
    .catch((e) => console.error('cleanup failed', e.message));
}
