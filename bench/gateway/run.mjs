#!/usr/bin/env node
// Gateway runtime benchmark: the same two queries measured directly at the owning subgraph and through each
// gateway runtime, at a few concurrency levels. Writes the figures into bench/gateway/REPORT.md (between the
// results markers; the hand-written analysis around them is kept) and the raw numbers under .data/bench/.
//
//   make infra-up
//   npm run build -w @ticketing/contracts -w @ticketing/platform -w @ticketing/auth -w @ticketing/event -w @ticketing/gateway
//   node bench/gateway/run.mjs [--duration 8] [--warmup 2] [--rounds 3] [--concurrency 1,16,64] [--targets direct,apollo,apollo-rl,hive]
//
// Targets: `direct` = the subgraph that owns the root field (auth for `me`, event for `events`); `apollo` = the
// production gateway (services/gateway, @apollo/gateway in Apollo Server 5 in Nest) with its rate limiter off;
// `apollo-rl` = the same with the Redis rate limiter on (a budget too high to trip); `hive` = the throwaway
// Hive Gateway prototype in candidates/hive-gateway. All processes are started from their built code on
// 127.0.0.1 ports chosen at random, against the shared local stack, in a throwaway database/topic/key prefix
// that is dropped at the end. Points run interleaved (target innermost) so background load hits every target
// alike. The load generator is bench/events-listing/load.mjs (closed loop, keep-alive, every answer parsed and
// checked for `errors`). With `--rounds N` the whole interleaved matrix runs N times and each figure reported is
// the median over the rounds. Before measuring, every gateway is probed for its request protections.
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../events-listing/load.mjs';
import { probeProtections } from './protection-probes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const testing = await import(join(root, 'packages/platform/dist/testing/index.js'));

// ---------------------------------------------------------------------------------------------------- options
function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
}
const durationS = Math.min(Math.max(Number(option('duration', '8')), 1), 20);
const warmupS = Math.min(Math.max(Number(option('warmup', '2')), 0), 5);
const rounds = Math.min(Math.max(Number(option('rounds', '3')), 1), 5);
const levels = option('concurrency', '1,16,64')
  .split(',')
  .map(Number)
  .filter((n) => n >= 1 && n <= 256);
const ALL_TARGETS = ['direct', 'apollo', 'apollo-rl', 'hive'];
const targets = option('targets', ALL_TARGETS.join(','))
  .split(',')
  .filter((t) => ALL_TARGETS.includes(t));
const dryRun = process.argv.includes('--no-report');

const ME = '{ me { id email name role } }';
const EVENTS =
  '{ events(first: 20) { edges { cursor node { id title category startsAt timeZone venue { name city } ticketTypes { id name priceMinor currency kind } } } pageInfo { hasNextPage endCursor } } }';
const QUERIES = [
  { key: 'me', label: '`me` (small, authenticated: cookie → JWT check)', owner: 'auth', query: ME },
  {
    key: 'events',
    label: '`events(first: 20)` (listing, ~20 objects with nested venue and ticket types)',
    owner: 'event',
    query: EVENTS,
  },
];

// ---------------------------------------------------------------------------------------------------- helpers
const serviceDir = (name) => join(root, 'services', name);
const candidateDir = join(here, 'candidates', 'hive-gateway');
const APP_ORIGIN = 'http://app.test';

async function gql(url, query, variables, headers = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`${query.slice(0, 50)}: HTTP ${res.status} ${text.slice(0, 200)}`);
  }
  if (res.status !== 200 || body.errors)
    throw new Error(`${query.slice(0, 50)}: HTTP ${res.status} ${JSON.stringify(body.errors)}`);
  return { data: body.data, setCookies: res.headers.getSetCookie() };
}

/** A P-256 (ES256) private JWK for auth's AUTH_SIGNING_KEYS (as tests/support/signing-key.ts does). */
async function newPrivateJwk() {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256' };
}

/** Signs up an organizer through `url` and returns its session cookie header (`__Host-at=...`). */
async function signUpOrganizer(url) {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const { setCookies } = await gql(
    url,
    'mutation($input: SignUpInput!) { signUp(input: $input) { user { id } } }',
    { input: { email, password: 'bench-Password-2026!', name: 'Bench Organizer', role: 'ORGANIZER' } },
  );
  const access = setCookies.map((c) => c.split(';')[0]).find((pair) => pair.startsWith('__Host-at='));
  if (!access) throw new Error(`sign-up set no access cookie (got ${setCookies.length} cookies)`);
  return { email, cookie: access };
}

/** 25 published events (2 ticket types each), so `events(first: 20)` returns a full page. */
async function seedEvents(url, cookie) {
  const headers = { cookie };
  const day = 24 * 3600 * 1000;
  const cities = ['Lyon', 'Paris', 'Marseille', 'Lille', 'Nantes'];
  const categories = ['MUSIC', 'SPORTS', 'THEATRE', 'COMEDY', 'FESTIVAL'];
  for (let i = 0; i < 25; i += 1) {
    const start = new Date(Date.now() + (10 + i) * day);
    const input = {
      title: `Gateway Bench ${i + 1}`,
      description: 'Seeded by bench/gateway',
      category: categories[i % categories.length],
      venue: {
        name: `Hall ${i + 1}`,
        address: `${i + 1} Quay Street`,
        city: cities[i % cities.length],
        capacity: 500,
      },
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 3 * 3600 * 1000).toISOString(),
      timeZone: 'Europe/Paris',
    };
    const { data } = await gql(
      url,
      'mutation($input: CreateEventInput!) { createEvent(input: $input) { id } }',
      { input },
      headers,
    );
    const id = data.createEvent.id;
    for (const [name, priceMinor] of [
      ['Standing', 2500],
      ['Seated', 4500],
    ]) {
      await gql(
        url,
        'mutation($eventId: ID!, $input: TicketTypeInput!) { addTicketType(eventId: $eventId, input: $input) { id } }',
        {
          eventId: id,
          input: { name, priceMinor, currency: 'EUR', kind: 'GENERAL_ADMISSION', quantity: 200 },
        },
        headers,
      );
    }
    await gql(url, 'mutation($id: ID!) { publishEvent(id: $id) { id } }', { id }, headers);
  }
}

/** Proves a target answers the query correctly before it is measured (same answer as the subgraph's). */
async function checkAnswer(url, query, headers, expected) {
  const { data } = await gql(url, query, undefined, headers);
  const got = JSON.stringify(data);
  if (got !== expected)
    throw new Error(
      `${url} answered differently:\n${got.slice(0, 300)}\nexpected\n${expected.slice(0, 300)}`,
    );
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux); NaN where unavailable. */
const CLOCK_TICKS_PER_SECOND = 100;
function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

const fixed = (v, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : 'n/a');
const loadAverage = () => os.loadavg()[0];

// ---------------------------------------------------------------------------------------------------- stack
for (const name of ['auth', 'event', 'gateway']) {
  if (!existsSync(join(serviceDir(name), 'dist/main.js'))) {
    console.error(
      `services/${name}/dist/main.js is missing: build auth, event and gateway first (see the header).`,
    );
    process.exit(1);
  }
}

const ctx = testing.createTestContext('bench-gateway');
const running = [];
const started = (service) => (running.push(service), service);
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`${signal}: stopping after the current point`);
  });
}
const samples = [];
const protections = {};
const startedAt = new Date();
try {
  await testing.ensureTopics(ctx);
  // The wiring of tests/support/stack.ts (a TypeScript module plain Node 20 cannot import), in production mode.
  const signingJwk = await newPrivateJwk();
  const common = {
    ...ctx.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    COOKIE_SECURE: 'true',
    AUTH_ISSUER: 'ticketing-auth',
    AUTH_AUDIENCE: 'ticketing',
    CORS_ORIGINS: APP_ORIGIN,
  };
  const authPort = await testing.freePort();
  const jwks = { AUTH_JWKS_URL: `http://127.0.0.1:${authPort}/.well-known/jwks.json` };
  const auth = started(
    await testing.startService(
      serviceDir('auth'),
      {
        ...common,
        ...jwks,
        MONGO_DB: `${ctx.dbName}_auth`.slice(0, 60),
        AUTH_SIGNING_KEYS: JSON.stringify([signingJwk]),
        TRUST_PROXY: '1',
      },
      { port: authPort },
    ),
  );
  const event = started(
    await testing.startService(serviceDir('event'), {
      ...common,
      ...jwks,
      MONGO_DB: `${ctx.dbName}_event`.slice(0, 60),
    }),
  );
  const gatewayEnv = {
    ...common,
    ...jwks,
    AUTH_URL: `${auth.url}/graphql`,
    EVENT_URL: `${event.url}/graphql`,
  };
  const endpoints = { direct: { auth: `${auth.url}/graphql`, event: `${event.url}/graphql` } };
  // Processes whose CPU time is sampled around each point: the subgraphs and each gateway.
  const pids = { auth: auth.child.pid, event: event.child.pid };
  if (targets.includes('apollo')) {
    const gw = started(
      await testing.startService(serviceDir('gateway'), { ...gatewayEnv, RATE_LIMIT_PER_MINUTE: '0' }),
    );
    endpoints.apollo = `${gw.url}/graphql`;
    pids.apollo = gw.child.pid;
  }
  if (targets.includes('apollo-rl')) {
    const gw = started(
      await testing.startService(serviceDir('gateway'), { ...gatewayEnv, RATE_LIMIT_PER_MINUTE: '1000000' }),
    );
    endpoints['apollo-rl'] = `${gw.url}/graphql`;
    pids['apollo-rl'] = gw.child.pid;
  }
  if (targets.includes('hive')) {
    const gw = started(await testing.startService(candidateDir, gatewayEnv, { entry: 'server.mjs' }));
    endpoints.hive = `${gw.url}/graphql`;
    pids.hive = gw.child.pid;
  }
  const urlFor = (target, owner) => (target === 'direct' ? endpoints.direct[owner] : endpoints[target]);

  // Seed through the production gateway when it runs (it proves sign-up cookies and mutations pass), else direct.
  const seedUrl = endpoints.apollo ?? endpoints['apollo-rl'];
  const organizer = await signUpOrganizer(seedUrl ?? endpoints.direct.auth);
  await seedEvents(seedUrl ?? endpoints.direct.event, organizer.cookie);

  for (const target of targets.filter((t) => t !== 'direct')) {
    protections[target] = await probeProtections(endpoints[target]);
  }

  for (const q of QUERIES) {
    const headers = q.key === 'me' ? { cookie: organizer.cookie } : {};
    const expected = JSON.stringify((await gql(urlFor('direct', q.owner), q.query, undefined, headers)).data);
    if (q.key === 'events' && JSON.parse(expected).events.edges.length !== 20)
      throw new Error('the listing does not return 20 events');
    if (q.key === 'me' && JSON.parse(expected).me.email !== organizer.email)
      throw new Error('`me` is not the seeded organizer');
    for (const target of targets) await checkAnswer(urlFor(target, q.owner), q.query, headers, expected);
  }

  for (let round = 1; round <= rounds && !interrupted; round += 1) {
    for (const q of QUERIES) {
      if (interrupted) break;
      const headers = q.key === 'me' ? { cookie: organizer.cookie } : {};
      const body = JSON.stringify({ query: q.query });
      for (const concurrency of levels) {
        for (const target of targets) {
          if (interrupted) break;
          const url = urlFor(target, q.owner);
          const load = (ms) =>
            runLoad({ url, body, headers, connections: concurrency, durationMs: ms, warmupMs: 0 });
          if (warmupS > 0) await load(warmupS * 1000);
          // CPU time of the subgraph and of the gateway (if any) over the measured window, per answered request.
          const gatewayPid = target === 'direct' ? undefined : pids[target];
          const cpuBefore = [cpuMs(pids[q.owner]), gatewayPid ? cpuMs(gatewayPid) : NaN];
          const before = loadAverage();
          const r = await load(durationS * 1000);
          const perRequest = (i, pid) =>
            pid ? ((cpuMs(pid) - cpuBefore[i]) * 1000) / Math.max(r.requests + r.errors, 1) : NaN;
          const subgraphCpuUs = perRequest(0, pids[q.owner]);
          const gatewayCpuUs = perRequest(1, gatewayPid);
          samples.push({
            round,
            query: q.key,
            target,
            concurrency,
            ...r,
            subgraphCpuUs,
            gatewayCpuUs,
            loadBefore: before,
            loadAfter: loadAverage(),
          });
          console.log(
            `r${round} ${q.key.padEnd(6)} c=${String(concurrency).padEnd(3)} ${target.padEnd(9)} ${fixed(r.rps, 0).padStart(6)} rps  p50 ${fixed(r.p50)}  p95 ${fixed(r.p95)}  p99 ${fixed(r.p99)} ms  errors ${r.errors}  cpu/req subgraph ${fixed(subgraphCpuUs, 0)} µs gateway ${fixed(gatewayCpuUs, 0)} µs  load ${fixed(before, 1)}`,
          );
        }
      }
    }
  }
} finally {
  for (const service of running.reverse()) await service.stop(10_000).catch(() => undefined);
  await testing.dropTestContext(ctx).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------------- report
const cpus = os.cpus();
const command = `node bench/gateway/run.mjs --duration ${durationS} --warmup ${warmupS} --rounds ${rounds} --concurrency ${levels.join(',')} --targets ${targets.join(',')}`;
const TARGET_NAMES = {
  direct: 'subgraph direct',
  apollo: 'Apollo gateway (production)',
  'apollo-rl': 'Apollo gateway + rate limiter',
  hive: 'Hive Gateway prototype',
};

const median = (values) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** One row per (query, concurrency, target): the median of each figure over the rounds, errors summed. */
const results = [];
for (const q of QUERIES) {
  for (const concurrency of levels) {
    for (const target of targets) {
      const runs = samples.filter(
        (s) => s.query === q.key && s.concurrency === concurrency && s.target === target,
      );
      if (runs.length === 0) continue;
      const pick = (field) => median(runs.map((s) => s[field]));
      results.push({
        query: q.key,
        target,
        concurrency,
        rps: pick('rps'),
        rpsRange: [Math.min(...runs.map((s) => s.rps)), Math.max(...runs.map((s) => s.rps))],
        p50: pick('p50'),
        p95: pick('p95'),
        p99: pick('p99'),
        subgraphCpuUs: pick('subgraphCpuUs'),
        gatewayCpuUs: pick('gatewayCpuUs'),
        requests: runs.reduce((n, s) => n + s.requests, 0),
        errors: runs.reduce((n, s) => n + s.errors, 0),
      });
    }
  }
}

function protectionTable() {
  const names = Object.keys(protections);
  if (names.length === 0) return '';
  const probeNames = protections[names[0]].map((p) => p.name);
  const lines = [
    `| probe | ${names.map((n) => TARGET_NAMES[n]).join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
  ];
  for (const probe of probeNames) {
    const cells = names.map((n) => {
      const p = protections[n].find((x) => x.name === probe);
      return p ? `${p.pass ? 'yes' : '**no**'} (${p.detail.replace(/\|/g, '/').trim()})` : 'n/a';
    });
    lines.push(`| ${probe} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function table(queryKey) {
  const rows = results.filter((r) => r.query === queryKey);
  const direct = (c) => rows.find((r) => r.target === 'direct' && r.concurrency === c);
  const lines = [
    '| concurrency | path | rps (median) | rps min–max | vs direct | p50 ms | p95 ms | p99 ms | gateway CPU µs/req | subgraph CPU µs/req | requests | errors |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const base = direct(r.concurrency);
    const ratio = base && r.target !== 'direct' ? `${Math.round((100 * r.rps) / base.rps)} %` : '';
    lines.push(
      `| ${r.concurrency} | ${TARGET_NAMES[r.target]} | ${fixed(r.rps, 0)} | ${fixed(r.rpsRange[0], 0)}–${fixed(r.rpsRange[1], 0)} | ${ratio} | ${fixed(r.p50)} | ${fixed(r.p95)} | ${fixed(r.p99)} | ${fixed(r.gatewayCpuUs, 0)} | ${fixed(r.subgraphCpuUs, 0)} | ${r.requests} | ${r.errors} |`,
    );
  }
  return lines.join('\n');
}

const loads = samples.map((r) => r.loadBefore);
const generated = `<!-- results:start (written by bench/gateway/run.mjs; edit outside these markers) -->
## Results

- Date: ${startedAt.toISOString()}
- Command: \`${command}\`
- Machine: ${os.type()} ${os.release()}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}
- Background: 1-minute load average ${fixed(Math.min(...loads), 1)}–${fixed(Math.max(...loads), 1)} during the run (the machine is shared; everything below competes for the same ${cpus.length} cores)
- Load: closed loop, N keep-alive connections, ${warmupS} s warm-up then ${durationS} s measured per point; every response parsed and checked (HTTP 200, no \`errors\`); ${rounds} interleaved round(s), each figure the median over the rounds (p50/p95/p99 are medians of the per-round percentiles)
- Processes: auth, event, gateway(s) with \`NODE_ENV=production\`, \`LOG_LEVEL=warn\`; the load generator in the runner process
- CPU µs/req: user + system CPU time the gateway process (and the subgraph behind it) used during the measured window, divided by the requests answered (from \`/proc/<pid>/stat\`, 10 ms ticks). Unlike rps and latency it hardly depends on what else the machine is doing, so it is the fairest figure on a shared machine

### ${QUERIES[0].label}

${table('me')}

### ${QUERIES[1].label}

${table('events')}

### Request protections (probed before the load)

${protectionTable()}
<!-- results:end -->`;

const dataDir = join(root, '.data', 'bench');
mkdirSync(dataDir, { recursive: true });
const rawPath = join(dataDir, `gateway-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(rawPath, JSON.stringify({ command, startedAt, samples, results, protections }, null, 2));
console.log(`\nraw results: ${rawPath}`);

if (!dryRun) {
  const reportPath = join(here, 'REPORT.md');
  const current = existsSync(reportPath)
    ? readFileSync(reportPath, 'utf8')
    : '# Gateway runtime benchmark\n\n<!-- results:start -->\n<!-- results:end -->\n';
  const pattern = /<!-- results:start[\s\S]*?<!-- results:end -->/;
  const next = pattern.test(current)
    ? current.replace(pattern, () => generated)
    : `${current.trimEnd()}\n\n${generated}\n`;
  writeFileSync(reportPath, next);
  console.log(`report: ${reportPath}`);
}
console.log(generated);
