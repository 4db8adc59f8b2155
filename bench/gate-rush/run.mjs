#!/usr/bin/env node
// Gate-rush benchmark of the check-in service: an open model (scans arrive at a fixed rate whether or not
// earlier ones were answered) over thousands of issued tickets, 20 % of scans repeating a ticket already
// scanned. Two phases with fresh tickets each: straight to the check-in subgraph, then through the gateway's
// public /graphql. Reports scans/s, p50/p95/p99 per phase, scan→dashboard latency (a scan's ACCEPTED answer
// → the attendanceUpdated push that counts it, subscribed on the subgraph), CPU per scan of each process
// (from /proc), and the ceiling measured in the same run: the Redis first-scan step alone (SET NX GET).
// Writes bench/gate-rush/REPORT.md.
//
//   make infra-up && npm run build -w @ticketing/contracts -w @ticketing/platform -w @ticketing/checkin -w @ticketing/gateway
//   node bench/gate-rush/run.mjs [--tickets 2000] [--rate 150] [--seconds 6] [--redis-seconds 5] [--redis-clients 32] [--profile]
//                                [--json <file>] [--no-report]
//
// --profile runs check-in with --cpu-prof and adds its top functions by self time to the report.
// --json writes the figures (per phase, CPU ms per scan of every process, peak RSS per process, the ceiling)
// to a file; --no-report leaves REPORT.md (and its hand-written analysis) as it is. bench/run-all.mjs uses both.
// Exits 1 when a check fails (check-in records ≠ admitted count, a dashboard push missing).
//
// Starts check-in and the gateway from dist/ on free ports, plus a stand-in for the ticket service's
// /.well-known/ticket-keys.json (the only thing check-in ever fetches from it). Tickets arrive as
// ticket.issued on Kafka, as the ticket service publishes them. Throwaway database, topics, Redis prefix.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { mongoServer } from '../lib/local-stack.mjs';
import { cpuDelta, cpuSnapshot, rssSampler, stackPid } from '../lib/proc-cpu.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const testing = await import(join(root, 'packages/platform/dist/testing/index.js'));
const platform = await import(join(root, 'packages/platform/dist/index.js'));
const contracts = await import(join(root, 'packages/contracts/dist/index.js'));
const { Kafka, logLevel } = await import('kafkajs');
const { default: Redis } = await import('ioredis');
const { default: mongoose } = await import('mongoose');
const { createClient } = await import('graphql-ws');
const { default: WebSocket } = await import('ws');

const arg = (name, fallback, max) => {
  const i = process.argv.indexOf(`--${name}`);
  return Math.min(i === -1 ? fallback : Number(process.argv[i + 1]), max);
};
const ticketCount = arg('tickets', 2000, 20000);
const rate = arg('rate', 150, 2000);
const seconds = arg('seconds', 6, 60);
const redisSeconds = arg('redis-seconds', 5, 30);
const redisClients = arg('redis-clients', 32, 256);
const profile = process.argv.includes('--profile');
const profileDir = profile ? mkdtempSync(join(os.tmpdir(), 'gate-rush-prof-')) : '';
const DUPLICATE_SHARE = 0.2;
const writeReport = !process.argv.includes('--no-report');
const jsonFile = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : null;
let json = null;

const oid = () => new mongoose.Types.ObjectId().toHexString();
const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : 'n/a');
const sleep = (t) => new Promise((r) => setTimeout(r, t));
const TICKS = 100; // USER_HZ
const cpuMs = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
};

async function gql(url, query, variables, token) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return res.json();
}

// The ticket service's key set, served by a stand-in; tokens signed as the ticket service signs them.
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const kid = platform.keyIdOf(publicKey);
const keyServer = createServer((req, res) => {
  const keys = [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'EdDSA', use: 'sig' }];
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
});
await new Promise((r) => keyServer.listen(0, '127.0.0.1', r));
const keyUrl = `http://127.0.0.1:${keyServer.address().port}/graphql`;

const ctx = testing.createTestContext('bench-gate-rush');
await testing.ensureTopics(ctx);
const issuer = await testing.createTestIssuer();
const checkin = await testing.startService(
  join(root, 'services/checkin'),
  {
    ...ctx.env,
    LOG_LEVEL: 'error',
    AUTH_JWKS_URL: issuer.jwksUrl,
    TICKET_URL: keyUrl,
  },
  // A loaded shared machine can take well over the default 30 s to boot a service.
  {
    readyTimeoutMs: 180_000,
    ...(profile ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] } : {}),
  },
);
const closed = 'http://127.0.0.1:9/graphql';
const gateway = await testing.startService(
  join(root, 'services/gateway'),
  {
    ...ctx.env,
    LOG_LEVEL: 'error',
    AUTH_JWKS_URL: issuer.jwksUrl,
    CHECKIN_URL: `${checkin.url}/graphql`,
    AUTH_URL: closed,
    EVENT_URL: closed,
    TICKET_URL: closed,
    PRICING_URL: closed,
    RATE_LIMIT_PER_MINUTE: '0',
  },
  { readyTimeoutMs: 180_000 },
);

const SCAN = `mutation($input: ScanTicketInput!) { scanTicket(input: $input) { result } }`;
const cpuGroups = {
  checkin: () => [checkin.child.pid],
  gateway: () => [gateway.child.pid],
  'MongoDB server (shared)': () => [stackPid(root, 'mongo'), stackPid(root, 'postgres')],
  'Redis (shared)': () => [stackPid(root, 'redis')],
  'Kafka (shared)': () => [stackPid(root, 'kafka')],
};
const rss = rssSampler(
  { checkin: cpuGroups.checkin, gateway: cpuGroups.gateway },
  { highWaterMark: ['checkin', 'gateway'] },
);
let report = '';
try {
  const organizer = { id: oid(), email: 'org@bench.test', role: 'ORGANIZER', name: 'Bench Org' };
  const staff = { id: oid(), email: 'staff@bench.test', role: 'STAFF', name: 'Bench Staff' };
  const eventId = oid();
  const typeId = oid();
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const envelopes = [
    contracts.newEnvelope(
      'event.published',
      eventId,
      {
        eventId,
        organizerId: organizer.id,
        title: 'Gate Rush',
        category: 'music',
        startsAt: new Date(now + 30 * 60_000).toISOString(),
        endsAt: new Date(now + 4 * 3600_000).toISOString(),
        timezone: 'UTC',
        venue: { name: 'Bench Arena', city: 'Berlin', capacity: ticketCount },
        salesStart: new Date(now - day).toISOString(),
        salesEnd: new Date(now + 60_000).toISOString(),
        transferPolicy: { allowed: true, deadline: null },
        ticketTypes: [
          {
            ticketTypeId: typeId,
            eventId,
            name: 'Standing',
            kind: 'GENERAL_ADMISSION',
            quantity: ticketCount,
            basePrice: { amount: 5000, currency: 'EUR' },
            perOrderMax: 10,
            perBuyerMax: 10,
            salesStart: new Date(now - day).toISOString(),
            salesEnd: new Date(now + 60_000).toISOString(),
            pricingPolicy: { kind: 'FIXED' },
            aggregateVersion: 1,
          },
        ],
        status: 'PUBLISHED',
        publishedAt: new Date(now - day).toISOString(),
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
        changedAt: new Date(now).toISOString(),
        aggregateVersion: 1,
      },
      { source: 'event' },
    ),
  ];
  const tickets = Array.from({ length: ticketCount }, (_, i) => {
    const ticketId = oid();
    const holderId = oid();
    envelopes.push(
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
          issuedAt: new Date(now).toISOString(),
          aggregateVersion: 1,
        },
        { source: 'ticket' },
      ),
    );
    return platform.signTicketToken({ ticketId, eventId, holderId, generation: 1 }, privateKey, kid);
  });
  const kafka = new Kafka({
    clientId: 'bench-gate-rush',
    brokers: ctx.env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < envelopes.length; i += 500) {
    const batch = envelopes.slice(i, i + 500);
    await producer.send({
      topic: ctx.topicPrefix + contracts.TOPICS.events,
      messages: batch
        .filter((e) => e.type.startsWith('event.'))
        .map((e) => ({ key: eventId, value: JSON.stringify(e) })),
    });
    await producer.send({
      topic: ctx.topicPrefix + contracts.TOPICS.tickets,
      messages: batch
        .filter((e) => e.type.startsWith('ticket.'))
        .map((e) => ({ key: eventId, value: JSON.stringify(e) })),
    });
  }
  await producer.disconnect();
  const staffToken = await issuer.sign(staff, { expiresIn: 3600 });
  const orgToken = await issuer.sign(organizer, { expiresIn: 3600 });
  const replicaStart = performance.now();
  for (let i = 0; ; i++) {
    const bundle = await gql(
      checkin.url,
      'query($e: ID!) { offlineBundle(eventId: $e) { tickets { ticketId } } }',
      { e: eventId },
      staffToken,
    );
    if (bundle.data?.offlineBundle?.tickets?.length === ticketCount) break;
    if (i > 1200) throw new Error('the replica never caught up');
    await sleep(500);
  }
  const replicaSeconds = (performance.now() - replicaStart) / 1000;

  // The dashboard: every push of attendanceUpdated, with the time it arrived.
  const pushes = [];
  const ws = createClient({
    url: checkin.url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${orgToken}` },
    retryAttempts: 0,
  });
  const subscription = (async () => {
    for await (const msg of ws.iterate({
      query: 'subscription($e: ID!) { attendanceUpdated(eventId: $e) { admitted } }',
      variables: { e: eventId },
    })) {
      pushes.push({ at: performance.now(), admitted: msg.data.attendanceUpdated.admitted });
    }
  })();
  await sleep(500);

  let nextFresh = 0;
  const scanned = [];
  async function phase(name, url) {
    const total = Math.round(rate * seconds);
    const answers = [];
    const before = { checkin: cpuMs(checkin.child.pid), gateway: cpuMs(gateway.child.pid) };
    const snapshot = cpuSnapshot(cpuGroups);
    const start = performance.now();
    const inflight = [];
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const duplicate = scanned.length > 0 && Math.random() < DUPLICATE_SHARE;
      const index = duplicate ? scanned[Math.floor(Math.random() * scanned.length)] : nextFresh++;
      if (!duplicate) scanned.push(index);
      const sent = performance.now();
      inflight.push(
        gql(
          url,
          SCAN,
          {
            input: {
              eventId,
              code: tickets[index],
              gateId: `Gate ${i % 10}`,
              deviceId: `scanner-${i % 40}`,
              nonce: `bench${name}${i}x${Date.now()}`,
            },
          },
          staffToken,
        )
          .then((r) =>
            answers.push({
              ms: performance.now() - sent,
              done: performance.now(),
              result: r.data?.scanTicket?.result ?? r.errors?.[0]?.extensions?.code ?? 'ERROR',
              duplicate,
            }),
          )
          .catch(() =>
            answers.push({
              ms: performance.now() - sent,
              done: performance.now(),
              result: 'NETWORK',
              duplicate,
            }),
          ),
      );
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - start) / 1000;
    const after = { checkin: cpuMs(checkin.child.pid), gateway: cpuMs(gateway.child.pid) };
    const cpu = cpuDelta(snapshot, cpuSnapshot(cpuGroups));
    // The gateway idles through the direct phase: it is on the path of the gateway phase only.
    if (name !== 'gateway') delete cpu.gateway;
    const lat = answers.map((a) => a.ms).sort((a, b) => a - b);
    const outcomes = {};
    for (const a of answers) outcomes[a.result] = (outcomes[a.result] ?? 0) + 1;
    return {
      name,
      total,
      elapsed,
      perSecond: total / elapsed,
      p50: pct(lat, 50),
      p95: pct(lat, 95),
      p99: pct(lat, 99),
      outcomes,
      accepted: answers
        .filter((a) => a.result === 'ACCEPTED')
        .map((a) => a.done)
        .sort((a, b) => a - b),
      cpuCheckin: (after.checkin - before.checkin) / total,
      cpuGateway: name === 'gateway' ? (after.gateway - before.gateway) / total : 0,
      cpuMsPerScan: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, (v * 1000) / total])),
      errors: answers.filter((a) => a.result !== 'ACCEPTED' && a.result !== 'ALREADY_CHECKED_IN').length,
    };
  }

  const baseline = pushes.at(-1)?.admitted ?? 0;
  const direct = await phase('subgraph', checkin.url);
  const viaGateway = await phase('gateway', gateway.url);
  // Wait for the dashboard to count every admission.
  const admittedTotal = direct.accepted.length + viaGateway.accepted.length;
  for (let i = 0; i < 600 && (pushes.at(-1)?.admitted ?? 0) < baseline + admittedTotal; i++) await sleep(100);
  // k-th admission (in answer order) → the first push whose count includes it.
  const acceptedAll = [...direct.accepted, ...viaGateway.accepted].sort((a, b) => a - b);
  const dashboard = acceptedAll
    .map((done, k) => {
      const push = pushes.find((p) => p.admitted - baseline >= k + 1);
      return push ? Math.max(0, push.at - done) : NaN;
    })
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  await ws.dispose();
  await subscription.catch(() => undefined);

  const attendance = (
    await gql(
      checkin.url,
      'query($e: ID!) { attendance(eventId: $e) { admitted repeats } }',
      { e: eventId },
      orgToken,
    )
  ).data.attendance;
  const conn = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName }).asPromise();
  const records = await conn.collection('checkins').countDocuments({ eventId });
  await conn.close();

  // The ceiling: the Redis first-scan step alone (one SET NX GET per scan), many clients at once.
  const clients = Array.from({ length: redisClients }, () => new Redis(ctx.env.REDIS_URL));
  let ops = 0;
  const redisEnd = performance.now() + redisSeconds * 1000;
  await Promise.all(
    clients.map(async (c, ci) => {
      for (let j = 0; performance.now() < redisEnd; j++) {
        await c.call('SET', `${ctx.redisPrefix}bench:first:${ci}:${j % 5000}`, 'e', 'EX', '60', 'NX', 'GET');
        ops += 1;
      }
    }),
  );
  await Promise.all(clients.map((c) => c.quit()));
  const redisOps = ops / redisSeconds;

  const row = (p) =>
    `| ${p.name} | ${p.total} | ${p.perSecond.toFixed(1)} | ${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.p99)} | ${Object.entries(
      p.outcomes,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')} | ${p.cpuCheckin.toFixed(2)} | ${p.name === 'gateway' ? p.cpuGateway.toFixed(2) : '—'} |`;
  const load = os
    .loadavg()
    .map((v) => v.toFixed(1))
    .join(' ');
  report = `# Gate rush — check-in service

Command: \`node bench/gate-rush/run.mjs --tickets ${ticketCount} --rate ${rate} --seconds ${seconds} --redis-seconds ${redisSeconds} --redis-clients ${redisClients}${profile ? ' --profile' : ''}\`
Date: ${new Date().toISOString()}
Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.split(' ')[0] ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load average at the end ${load}
(shared development machine; the MongoDB-compatible server: ${mongoServer(root)})

Open model: scans arrive at ${rate}/s for ${seconds} s per phase, ${DUPLICATE_SHARE * 100} % of them repeating a ticket already
scanned (which must answer ALREADY_CHECKED_IN), over ${ticketCount} tickets issued through Kafka (the replica caught up
in ${replicaSeconds.toFixed(1)} s). Phase 1 scans the check-in subgraph directly, phase 2 through the gateway's /graphql;
each from its own process started from dist/, GraphQL over HTTP on 127.0.0.1. CPU per scan is the process's
user+system time over the phase divided by its scans (the gateway's only in phase 2).

| Phase | Scans | Scans/s | p50 / p95 / p99 (ms) | Outcomes | CPU ms/scan checkin | CPU ms/scan gateway |
|---|---|---|---|---|---|---|
${row(direct)}
${row(viaGateway)}

| Figure | Value |
|---|---|
| scan → dashboard (ACCEPTED answer → attendanceUpdated push counting it) p50 / p95 / p99 | ${ms(pct(dashboard, 50))} / ${ms(pct(dashboard, 95))} / ${ms(pct(dashboard, 99))} ms (${dashboard.length} admissions) |
| check-in records / attendance.admitted / attendance.repeats | ${records} / ${attendance.admitted} / ${attendance.repeats} |
| ceiling: Redis first-scan step alone (SET NX GET, ${redisClients} clients, ${redisSeconds} s) | ${redisOps.toFixed(0)} ops/s |

Target on the 2-core machine: 400 scans/s through the gateway at p99 ≤ 100 ms, scan→dashboard p95 ≤ 500 ms.
`;
  const phaseRow = (p, label) => ({
    key: p.name,
    label,
    throughput: p.perSecond,
    latency: { scan: { p50: p.p50, p95: p.p95, p99: p.p99 } },
    count: p.total,
    errors: p.errors,
    cpuMsPerOp: p.cpuMsPerScan,
    values: p.outcomes,
  });
  json = {
    scenario: 'gate-rush',
    command: `node bench/gate-rush/run.mjs --tickets ${ticketCount} --rate ${rate} --seconds ${seconds} --redis-seconds ${redisSeconds} --redis-clients ${redisClients}${profile ? ' --profile' : ''}`,
    finishedAt: new Date().toISOString(),
    unit: 'scans',
    offeredRate: rate,
    rows: [
      phaseRow(direct, 'check-in subgraph, no gateway'),
      phaseRow(viaGateway, 'through the gateway'),
      {
        key: 'dashboard',
        label: 'scan → dashboard (ACCEPTED answer → attendanceUpdated push)',
        latency: { dashboard: { p50: pct(dashboard, 50), p95: pct(dashboard, 95), p99: pct(dashboard, 99) } },
        count: dashboard.length,
      },
    ],
    ceilings: [
      {
        key: 'redis',
        label: `Redis first-scan step alone (SET NX GET, ${redisClients} clients)`,
        throughput: redisOps,
      },
    ],
    checks: {
      'check-in records ≠ attendance.admitted': records === attendance.admitted ? 0 : 1,
      'dashboard pushes missing': admittedTotal - dashboard.length,
    },
  };
} finally {
  const peakRss = rss.stop();
  if (json) json.rssMb = peakRss;
  await gateway.stop();
  await checkin.stop();
  if (profile && report) report += topFunctions(profileDir);
  if (report) {
    if (writeReport) writeFileSync(join(here, 'REPORT.md'), report);
    process.stdout.write(report);
  }
  if (json && jsonFile) writeFileSync(jsonFile, JSON.stringify(json, null, 2));
  // Figures with a failed check are still written, but the run is not a pass.
  const failed = Object.entries(json?.checks ?? {}).filter(([, n]) => n !== 0);
  if (failed.length) {
    console.error(`checks failed: ${failed.map(([k, n]) => `${k} ${n}`).join(', ')}`);
    process.exitCode = 1;
  }
  keyServer.close();
  await issuer.close();
  await testing.dropTestContext(ctx, { mongo: true, kafka: true, redis: true });
}

/** Check-in's CPU profile (whole run) summed by function: the top entries by self time, as a table. */
function topFunctions(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return '\nNo CPU profile was written.\n';
  const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const self = new Map();
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const dt = prof.timeDeltas;
  for (let i = 0; i < prof.samples.length; i++) {
    const n = byId.get(prof.samples[i]);
    const url = n.callFrame.url
      .replace(/^.*node_modules\//, '')
      .replace(/^file:\/\/.*\/(services|packages)\//, '$1/');
    const key = `${n.callFrame.functionName || '(anonymous)'} ${url.split('/').slice(0, 3).join('/')}`;
    self.set(key, (self.get(key) ?? 0) + (dt[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const rows = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
  rmSync(dir, { recursive: true, force: true });
  return `
Check-in CPU profile (\`--cpu-prof\`, the whole run including start-up and the replica catching up), top
functions by self time:

| Function (module) | Self % |
|---|---|
${rows.map(([k, v]) => `| \`${k.trim()}\` | ${((100 * v) / total).toFixed(1)} |`).join('\n')}
`;
}
