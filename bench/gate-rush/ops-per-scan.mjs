#!/usr/bin/env node
// Profile of the check-in service's database work per scan: boots check-in in this process (from dist/),
// counts every MongoDB operation mongoose sends (by collection and method, through the connection's debug
// hook), makes a given number of scans (fresh tickets plus 20 % repeats), waits until the counters have
// folded them all and the outbox is empty, and prints operations per scan. Sequential scans by default, so
// the figure is the cost of a scan, not of a queue (concurrency changes how much the relay and the fold
// batch).
//
//   make infra-up && npm run build -w @ticketing/contracts -w @ticketing/platform -w @ticketing/checkin
//   node bench/gate-rush/ops-per-scan.mjs [--scans 200] [--concurrency 1]
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const testing = await import(join(root, 'packages/platform/dist/testing/index.js'));
const platform = await import(join(root, 'packages/platform/dist/index.js'));
const contracts = await import(join(root, 'packages/contracts/dist/index.js'));
const { createAppModule } = await import(join(root, 'services/checkin/dist/app.module.js'));
const { checkinConfigSchema, CHECKIN_SERVICE_NAME } = await import(
  join(root, 'services/checkin/dist/config.js')
);
const { getConnectionToken } = await import('@nestjs/mongoose');
const { Kafka, logLevel } = await import('kafkajs');
const { default: mongoose } = await import('mongoose');

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const scans = arg('scans', 200);
const concurrency = arg('concurrency', 1);
const oid = () => new mongoose.Types.ObjectId().toHexString();
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const iso = (t) => new Date(t).toISOString();

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const kid = platform.keyIdOf(publicKey);
const keyServer = createServer((_req, res) => {
  const keys = [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }];
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
});
await new Promise((r) => keyServer.listen(0, '127.0.0.1', r));

const ctx = testing.createTestContext('bench-gate-ops');
await testing.ensureTopics(ctx);
const issuer = await testing.createTestIssuer();
const config = platform.loadConfig(checkinConfigSchema, {
  ...ctx.env,
  LOG_LEVEL: 'error',
  AUTH_JWKS_URL: issuer.jwksUrl,
  TICKET_URL: `http://127.0.0.1:${keyServer.address().port}/graphql`,
});
const app = await platform.createServiceApp(createAppModule(config), config, {
  serviceName: CHECKIN_SERVICE_NAME,
  handleSignals: false,
});
await app.listen(0, '127.0.0.1');
const url = platform.appUrl(app);

async function gql(query, variables, token) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

try {
  const organizer = { id: oid(), email: 'org@bench.test', role: 'ORGANIZER', name: 'Bench Org' };
  const staff = { id: oid(), email: 'staff@bench.test', role: 'STAFF', name: 'Bench Staff' };
  const eventId = oid();
  const typeId = oid();
  const now = Date.now();
  const fresh = scans - Math.floor(scans / 5);
  const type = {
    ticketTypeId: typeId,
    eventId,
    name: 'Standing',
    kind: 'GENERAL_ADMISSION',
    quantity: fresh,
    basePrice: { amount: 5000, currency: 'EUR' },
    perOrderMax: 10,
    perBuyerMax: 10,
    salesStart: iso(now - 86_400_000),
    salesEnd: iso(now + 60_000),
    pricingPolicy: { kind: 'FIXED' },
    aggregateVersion: 1,
  };
  const eventMessages = [
    contracts.newEnvelope(
      'event.published',
      eventId,
      {
        eventId,
        organizerId: organizer.id,
        title: 'Gate Ops',
        category: 'music',
        startsAt: iso(now + 30 * 60_000),
        endsAt: iso(now + 4 * 3600_000),
        timezone: 'UTC',
        venue: { name: 'Bench Arena', city: 'Berlin', capacity: fresh },
        salesStart: iso(now - 86_400_000),
        salesEnd: iso(now + 60_000),
        transferPolicy: { allowed: true, deadline: null },
        ticketTypes: [type],
        status: 'PUBLISHED',
        publishedAt: iso(now - 86_400_000),
        aggregateVersion: 1,
      },
      { source: 'event' },
    ),
    contracts.newEnvelope(
      'event.staff-changed',
      eventId,
      {
        eventId,
        organizerId: organizer.id,
        staff: [{ userId: staff.id, email: staff.email }],
        changedAt: iso(now),
        aggregateVersion: 1,
      },
      { source: 'event' },
    ),
  ];
  const ticketMessages = [];
  const codes = Array.from({ length: fresh }, (_, i) => {
    const ticketId = oid();
    const holderId = oid();
    ticketMessages.push(
      contracts.newEnvelope(
        'ticket.issued',
        eventId,
        {
          ticketId,
          eventId,
          ticketTypeId: typeId,
          ticketTypeName: 'Standing',
          orderId: oid(),
          holderId,
          holderName: `Guest ${i}`,
          generation: 1,
          issuedAt: iso(now),
          aggregateVersion: 1,
        },
        { source: 'ticket' },
      ),
    );
    return platform.signTicketToken({ ticketId, eventId, holderId, generation: 1 }, privateKey, kid);
  });
  const producer = new Kafka({
    clientId: 'bench-gate-ops',
    brokers: ctx.env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  }).producer();
  await producer.connect();
  const toMessages = (list) => list.map((e) => ({ key: eventId, value: JSON.stringify(e) }));
  await producer.send({
    topic: ctx.topicPrefix + contracts.TOPICS.events,
    messages: toMessages(eventMessages),
  });
  for (let i = 0; i < ticketMessages.length; i += 500)
    await producer.send({
      topic: ctx.topicPrefix + contracts.TOPICS.tickets,
      messages: toMessages(ticketMessages.slice(i, i + 500)),
    });
  await producer.disconnect();
  const staffToken = await issuer.sign(staff, { expiresIn: 3600 });
  const orgToken = await issuer.sign(organizer, { expiresIn: 3600 });
  for (let i = 0; ; i++) {
    const bundle = await gql(
      'query($e: ID!) { offlineBundle(eventId: $e) { tickets { ticketId } } }',
      { e: eventId },
      staffToken,
    );
    if (bundle.data?.offlineBundle?.tickets?.length === fresh) break;
    if (i > 600) throw new Error('the replica never caught up');
    await sleep(500);
  }
  await sleep(1500); // let the replica's own writes settle before counting

  const connection = app.get(getConnectionToken(), { strict: false });
  const ops = new Map();
  connection.set('debug', (collection, method) => {
    const key = `${collection}.${method}`;
    ops.set(key, (ops.get(key) ?? 0) + 1);
  });

  // Every fifth scan repeats a ticket already scanned; the others are fresh tickets, in order.
  const order = [];
  for (let i = 0, used = 0; i < scans; i++)
    order.push(i % 5 === 4 && used > 0 ? Math.floor(Math.random() * used) : used++);
  let next = 0;
  const outcomes = {};
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < scans; i = next++) {
        const index = order[i];
        const answer = await gql(
          'mutation($input: ScanTicketInput!) { scanTicket(input: $input) { result } }',
          {
            input: {
              eventId,
              code: codes[index % fresh],
              gateId: `Gate ${i % 10}`,
              deviceId: `scanner-${i % 4}`,
              nonce: `ops${i}x${Date.now()}`,
            },
          },
          staffToken,
        );
        const result = answer.data?.scanTicket?.result ?? 'ERROR';
        outcomes[result] = (outcomes[result] ?? 0) + 1;
      }
    }),
  );
  const scanSeconds = (Date.now() - started) / 1000;
  const admitted = outcomes.ACCEPTED ?? 0;
  const ATTENDANCE = 'query($e: ID!) { attendance(eventId: $e) { admitted repeats refused } }';
  let counters;
  for (let i = 0; i < 600; i++) {
    counters = (await gql(ATTENDANCE, { e: eventId }, orgToken)).data?.attendance;
    const folded = (counters?.admitted ?? 0) + (counters?.repeats ?? 0) + (counters?.refused ?? 0);
    if (folded >= scans) break;
    await sleep(100);
  }
  const foldSeconds = (Date.now() - started) / 1000;
  await sleep(2000); // the relay's last rounds and the consumer's idle fetches
  connection.set('debug', false);

  // Every collection, the replicas' reads included (nothing writes to the replicas while scans are counted).
  const rows = [...ops.entries()].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  const writes = rows
    .filter(([key]) => /\.(insert|update|delete|findOneAnd|bulkWrite|replace)/.test(key))
    .reduce((sum, [, n]) => sum + n, 0);
  const lines = [
    `ops-per-scan: ${scans} scans (${JSON.stringify(outcomes)}), concurrency ${concurrency}, ` +
      `answered in ${scanSeconds.toFixed(1)} s, all folded after ${foldSeconds.toFixed(1)} s; ` +
      `counters ${JSON.stringify(counters)}; admitted ${admitted}`,
    '',
    '| Collection.method | Operations | Per scan |',
    '|---|---|---|',
    ...rows.map(([key, n]) => `| \`${key}\` | ${n} | ${(n / scans).toFixed(2)} |`),
    `| **all** | ${total} | ${(total / scans).toFixed(2)} |`,
    `| **writes** | ${writes} | ${(writes / scans).toFixed(2)} |`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
} finally {
  await app.close();
  keyServer.close();
  await issuer.close();
  await testing.dropTestContext(ctx, { mongo: true, kafka: true, redis: true });
}
