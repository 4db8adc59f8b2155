#!/usr/bin/env node
// Benchmark of the public `events(first: 20)` listing: 20 published events, measured directly at the
// event subgraph with the Redis cache on, with it off (EVENT_CACHE_ENABLED=false), and through the
// gateway (in front of the cached subgraph). Writes bench/events-listing/REPORT.md.
//
//   make infra-up && npm run build -w packages/contracts -w packages/platform -w services/event -w services/gateway
//   node bench/events-listing/run.mjs [--duration 10] [--warmup 2] [--connections 16]
//     [--cached-only] [--no-search] [--ceiling] [--json <file>] [--no-report]
//
// --cached-only skips the two cache-off paths; --no-search skips the search comparison; --ceiling adds, as the
// machine's ceiling, a bare Node HTTP server (bench/ceiling/bare-http.mjs) answering the subgraph's own answer
// under the same load; --json writes the figures (with CPU ms per request and peak RSS per process) to a file;
// --no-report leaves REPORT.md as it is (bench/run-all.mjs uses the last three).
//
// Everything runs on 127.0.0.1 against the local stack, on a throwaway database, topic and key prefix
// that are removed at the end.
import { randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from './load.mjs';
import { measureSearch } from './search.mjs';
import { measureBareHttp } from '../ceiling/bare-http.mjs';
import { mongoServer } from '../lib/local-stack.mjs';
import { cpuDelta, cpuSnapshot, rssSampler, stackPid } from '../lib/proc-cpu.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const testing = await import(join(root, 'packages/platform/dist/testing/index.js'));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}
const durationS = Math.min(arg('duration', 10), 60);
const warmupS = Math.min(arg('warmup', 2), 30);
const connections = Math.min(arg('connections', 16), 256);
const flag = (name) => process.argv.includes(`--${name}`);
const cachedOnly = flag('cached-only');
const withSearch = !flag('no-search');
const withCeiling = flag('ceiling');
const writeReport = !flag('no-report');
const jsonFile = process.argv.includes('--json') ? process.argv[process.argv.indexOf('--json') + 1] : null;

const LISTING = JSON.stringify({
  query:
    '{ events(first: 20) { edges { cursor node { id title category startsAt timeZone venue { name city } ticketTypes { id name priceMinor currency kind } } } pageInfo { hasNextPage endCursor } } }',
});

async function gql(url, query, variables, token) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(`${query.slice(0, 40)}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

async function seed(url, token) {
  const day = 24 * 3600 * 1000;
  const cities = ['Lyon', 'Paris', 'Marseille', 'Lille', 'Nantes'];
  const categories = ['MUSIC', 'SPORTS', 'THEATRE', 'COMEDY', 'FESTIVAL'];
  for (let i = 0; i < 20; i += 1) {
    const start = new Date(Date.now() + (7 + i) * day);
    const input = {
      title: `Benchmark Night ${i + 1}`,
      description: 'Seeded by bench/events-listing',
      category: categories[i % categories.length],
      venue: {
        name: `Hall ${i + 1}`,
        address: `${i + 1} Main Street`,
        city: cities[i % cities.length],
        capacity: 500,
      },
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3 * 3600 * 1000).toISOString(),
      timeZone: 'Europe/Paris',
    };
    const created = await gql(
      url,
      'mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }',
      { input },
      token,
    );
    const id = created.createEvent.id;
    for (const [name, priceMinor] of [
      ['Standing', 2500],
      ['Seated', 4500],
    ]) {
      await gql(
        url,
        'mutation($eventId: ID!, $input: TicketTypeInput!) { addTicketType(eventId: $eventId, input: $input) { id } }',
        {
          eventId: id,
          input: {
            name,
            priceMinor,
            currency: 'EUR',
            kind: 'GENERAL_ADMISSION',
            quantity: 200,
            perOrderMax: 6,
            perBuyerMax: 10,
          },
        },
        token,
      );
    }
    await gql(url, 'mutation($id: ID!) { publishEvent(id: $id) { id } }', { id }, token);
  }
}

function row(name, r) {
  const f = (v) => (Number.isFinite(v) ? v.toFixed(2) : 'n/a');
  return `| ${name} | ${r.rps.toFixed(0)} | ${f(r.p50)} | ${f(r.p95)} | ${f(r.p99)} | ${f(r.max)} | ${r.requests} | ${r.errors} |`;
}

const eventDir = join(root, 'services/event');
const gatewayDir = join(root, 'services/gateway');
if (!existsSync(join(eventDir, 'dist/main.js'))) {
  console.error(
    'services/event/dist/main.js is missing: npm run build -w packages/contracts -w packages/platform -w services/event',
  );
  process.exit(1);
}

const ctx = testing.createTestContext('bench-events');
await testing.ensureTopics(ctx);
const issuer = await testing.createTestIssuer();
const auth = { AUTH_JWKS_URL: issuer.jwksUrl, AUTH_ISSUER: issuer.issuer, AUTH_AUDIENCE: issuer.audience };
const baseEnv = {
  ...ctx.env,
  ...auth,
  LOG_LEVEL: 'warn',
  NODE_ENV: 'production',
  // Production refuses cookies without Secure; no cookie crosses this benchmark.
  COOKIE_SECURE: 'true',
  EVENT_VIEW_FLUSH_MS: '5000',
};
const running = [];
const results = [];
const notes = [];
// Per row: CPU ms per request of each process on its path, for --json.
const cpuPerRequest = new Map();
const pidOf = {};
const shared = {
  'Redis (shared)': () => [stackPid(root, 'redis')],
  'MongoDB server (shared)': () => [stackPid(root, 'mongo'), stackPid(root, 'postgres')],
};
const rss = rssSampler(
  {
    event: () => [pidOf.event],
    'event (cache off)': () => [pidOf.eventUncached],
    gateway: () => [pidOf.gateway],
    'gateway (cache off)': () => [pidOf.gatewayUncached],
  },
  { highWaterMark: ['event', 'event (cache off)', 'gateway', 'gateway (cache off)'] },
);
let ceiling = null;
let listingAnswer = null;
let peakRss = {};
try {
  const cached = await testing.startService(eventDir, { ...baseEnv, EVENT_CACHE_ENABLED: 'true' });
  running.push(cached);
  pidOf.event = cached.child.pid;
  const organizer = { id: randomUUID(), email: 'bench@example.com', role: 'ORGANIZER', name: 'Bench' };
  await seed(cached.url, await issuer.sign(organizer));
  const check = await gql(cached.url, JSON.parse(LISTING).query);
  if (check.events.edges.length !== 20)
    throw new Error(`expected 20 events, got ${check.events.edges.length}`);
  listingAnswer = JSON.stringify({ data: check });

  const uncached = cachedOnly
    ? null
    : await testing.startService(eventDir, { ...baseEnv, EVENT_CACHE_ENABLED: 'false' });
  if (uncached) running.push(uncached);
  pidOf.eventUncached = uncached?.child.pid;

  // CPU of the processes on the path, over warm-up and measured window, scaled to the measured window.
  const load = async (url, key, groups) => {
    const before = cpuSnapshot({ ...groups, ...shared });
    const started = performance.now();
    const result = await runLoad({
      url: `${url}/graphql`,
      body: LISTING,
      connections,
      durationMs: durationS * 1000,
      warmupMs: warmupS * 1000,
    });
    const share = (durationS * 1000) / (performance.now() - started);
    const cpu = cpuDelta(before, cpuSnapshot({ ...groups, ...shared }));
    cpuPerRequest.set(
      key,
      Object.fromEntries(
        Object.entries(cpu).map(([k, s]) => [k, (s * 1000 * share) / Math.max(1, result.requests)]),
      ),
    );
    return Object.assign(result, { key });
  };
  results.push([
    'event subgraph, cache on (Redis)',
    await load(cached.url, 'subgraph-cached', { event: () => [cached.child.pid] }),
  ]);
  if (uncached)
    results.push([
      'event subgraph, cache off (Mongo every request)',
      await load(uncached.url, 'subgraph-uncached', { event: () => [uncached.child.pid] }),
    ]);

  if (existsSync(join(gatewayDir, 'dist/main.js'))) {
    try {
      const gateway = await testing.startService(gatewayDir, {
        ...baseEnv,
        EVENT_URL: `${cached.url}/graphql`,
        RATE_LIMIT_PER_MINUTE: '0',
      });
      running.push(gateway);
      pidOf.gateway = gateway.child.pid;
      await gql(gateway.url, JSON.parse(LISTING).query);
      results.push([
        'gateway → event subgraph, cache on',
        await load(gateway.url, 'gateway-cached', {
          gateway: () => [gateway.child.pid],
          event: () => [cached.child.pid],
        }),
      ]);
      if (uncached) {
        const gatewayUncached = await testing.startService(gatewayDir, {
          ...baseEnv,
          EVENT_URL: `${uncached.url}/graphql`,
          RATE_LIMIT_PER_MINUTE: '0',
        });
        running.push(gatewayUncached);
        pidOf.gatewayUncached = gatewayUncached.child.pid;
        results.push([
          'gateway → event subgraph, cache off',
          await load(gatewayUncached.url, 'gateway-uncached', {
            gateway: () => [gatewayUncached.child.pid],
            event: () => [uncached.child.pid],
          }),
        ]);
      }
    } catch (error) {
      notes.push(`Gateway not measured: ${error.message.split('\n')[0]}`);
    }
  } else {
    notes.push('Gateway not measured: services/gateway/dist/main.js is missing (build the gateway first).');
  }
  if (withCeiling)
    ceiling = await measureBareHttp({
      answer: listingAnswer,
      body: LISTING,
      connections,
      durationMs: durationS * 1000,
      warmupMs: warmupS * 1000,
    });
} finally {
  peakRss = rss.stop();
  for (const service of running.reverse()) await service.stop().catch(() => undefined);
  await issuer.close();
  await testing.dropTestContext(ctx).catch(() => undefined);
}

const searchTable = withSearch
  ? await measureSearch({ docs: 2000, queries: 100, mongoUrl: ctx.env.MONGO_URL })
  : '';
const load1 = os.loadavg()[0].toFixed(1);
const cpu = os.cpus();
const command = `node bench/events-listing/run.mjs --duration ${durationS} --warmup ${warmupS} --connections ${connections}${
  cachedOnly ? ' --cached-only' : ''
}${withSearch ? '' : ' --no-search'}${withCeiling ? ' --ceiling' : ''}`;
const report = `# Benchmark: public \`events(first: 20)\` listing

- Date: ${new Date().toISOString()}
- Command: \`${command}\`
- Machine: ${os.type()} ${os.release()}, ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}
- Load: closed loop, ${connections} keep-alive connections, ${warmupS} s warm-up then ${durationS} s measured, one POST of the query below per request, loopback only.
  The load generator, the service(s), MongoDB-compatible server, Redis and Kafka share the same ${cpu.length} cores
  (and other engineers' work), so absolute figures are modest and noisy; compare the rows with each other.
- MongoDB-compatible server: ${mongoServer(root)}.
- Data: 20 published events (2 ticket types each) in a throwaway database; each response carries all 20.
- Services run with \`NODE_ENV=production\`, \`LOG_LEVEL=warn\`; "cache off" is \`EVENT_CACHE_ENABLED=false\`.

Query: \`${JSON.parse(LISTING).query}\`

| Path | rps | p50 ms | p95 ms | p99 ms | max ms | requests | errors |
|---|---:|---:|---:|---:|---:|---:|---:|
${results.map(([name, r]) => row(name, r)).join('\n')}${ceiling ? `\n${row('ceiling: bare Node HTTP server, same answer', ceiling)}` : ''}
${notes.length > 0 ? `\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
Machine load average (1 min) when the run ended: ${load1}.

## Search without \`$text\`

\`bench/events-listing/search.mjs\` (run as part of this script): the same word-prefix search three ways over
2,000 events on the local MongoDB-compatible server. The service uses the first: exact matches on a
multikey array of normalised word prefixes, which MongoDB serves from the \`searchTerms\` index; the
unanchored regex cannot use an index at all, and the anchored regex only matches the start of the text.
The local server (FerretDB 1.24) pushes almost no filter down to its indexes, so here all three
scan and the figures mostly show scan cost under the machine's load (they vary several-fold between
runs); the choice rests on MongoDB's index use for exact matches on a multikey array.

${searchTable || '(not measured in this run: `--no-search`)\n'}`;
if (writeReport) writeFileSync(join(here, 'REPORT.md'), report);
console.log(report);

if (jsonFile) {
  const figures = (r) => ({
    throughput: r.rps,
    latency: { request: { p50: r.p50, p95: r.p95, p99: r.p99 } },
    count: r.requests,
    errors: r.errors,
  });
  writeFileSync(
    jsonFile,
    JSON.stringify(
      {
        scenario: 'events-listing',
        command,
        finishedAt: new Date().toISOString(),
        unit: 'requests',
        rows: results.map(([label, r]) => ({
          key: r.key,
          label,
          ...figures(r),
          cpuMsPerOp: cpuPerRequest.get(r.key),
        })),
        ceilings: ceiling
          ? [
              {
                key: 'bare-http',
                label: 'bare Node HTTP server, same answer, same load',
                ...figures(ceiling),
                cpuMsPerOp: ceiling.cpuMsPerOp,
              },
            ]
          : [],
        rssMb: { ...peakRss, ...(ceiling?.rssMb ?? {}) },
        notes,
      },
      null,
      2,
    ),
  );
  // For the runner a gateway that could not be measured is a failed run, not a quieter report.
  if (!results.some(([, r]) => r.key === 'gateway-cached')) {
    console.error(notes.join('\n') || 'the gateway was not measured');
    process.exitCode = 1;
  }
}
