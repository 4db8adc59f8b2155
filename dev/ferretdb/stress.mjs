// Stress run for the local MongoDB-compatible server: many connections at once mixing the writes and reads
// that once hung FerretDB (dev/ferretdb/buffered_query.go; README.md, "FerretDB patch"). By default it starts a private
// PostgreSQL + FerretDB (bench/lib/private-ferretdb.mjs, newest build in the cache), so the shared server is
// never at risk.
//   node dev/ferretdb/stress.mjs [--concurrency 192] [--seconds 20] [--pool 50] [--stall 10]
//                                [--ferretdb <binary>] [--url mongodb://...] [--mix all|writes|cursors]
// Prints ops/s and the highest number of operations in flight; when no operation completes for --stall
// seconds it declares a hang, saves FerretDB's goroutine dump (private server only) and exits 1.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPrivateFerretdb } from '../../bench/lib/private-ferretdb.mjs';

// The driver is mongoose's copy (the root has no mongodb package of its own).
const { mongo } = createRequire(import.meta.url)('mongoose');

const { values: opt } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '192' },
    seconds: { type: 'string', default: '20' },
    pool: { type: 'string' },
    stall: { type: 'string', default: '10' },
    ferretdb: { type: 'string' },
    url: { type: 'string' },
    mix: { type: 'string', default: 'all' },
  },
});
const CONCURRENCY = Number(opt.concurrency);
const SECONDS = Number(opt.seconds);
const STALL_MS = Number(opt.stall) * 1000;
const DOCS = 2000;
const HOT = 4;

const server = opt.url
  ? null
  : await startPrivateFerretdb({
      ferretdb: opt.ferretdb,
      debug: true,
      pgParams: opt.pool ? { pool_max_conns: opt.pool } : {},
      log: console.log,
    });
const url = opt.url ?? server.MONGO_URL;
// One socket per operation in flight: FerretDB runs one command at a time per connection.
const client = new mongo.MongoClient(url, {
  maxPoolSize: CONCURRENCY + 8,
  minPoolSize: 0,
  maxConnecting: 32,
  serverSelectionTimeoutMS: 10_000,
});
await client.connect();
const db = client.db(`stress_${process.pid}`);
const docs = db.collection('docs');
const hot = db.collection('hot');
const slots = db.collection('slots');

await docs.insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: `d${i}`, n: 0, group: i % 16 })));
await hot.insertMany(Array.from({ length: HOT }, (_, i) => ({ _id: `h${i}`, stock: 1e9, taken: 0 })));
await slots.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: `s${i}`, state: 'free', by: null })));
await docs.createIndex({ group: 1 });

let inFlight = 0;
let maxInFlight = 0;
let done = 0;
let failed = 0;
let lastDone = Date.now();
const counts = {};
let stopAt = Date.now() + SECONDS * 1000;
let newColl = 0;
const openCursors = [];

const rnd = (n) => Math.floor(Math.random() * n);

/** The operations, by name; each is one client request (or a cursor left open, for `cursor`). */
const ops = {
  // guarded single-document writes by _id, on distinct and on hot documents
  updateDistinct: () => docs.updateOne({ _id: `d${rnd(DOCS)}`, n: { $gte: 0 } }, { $inc: { n: 1 } }),
  updateHot: () =>
    hot.updateOne({ _id: `h${rnd(HOT)}`, stock: { $gte: 1 } }, { $inc: { stock: -1, taken: 1 } }),
  findOneAndUpdate: () =>
    slots
      .findOneAndUpdate({ state: 'free' }, { $set: { state: 'taken', by: rnd(1e6) } })
      .then(() => slots.updateOne({ _id: `s${rnd(500)}` }, { $set: { state: 'free' } })),
  updateMany: () => docs.updateMany({ group: rnd(16), n: { $gte: 0 } }, { $inc: { m: 1 } }),
  upsert: () => docs.updateOne({ _id: `u${rnd(5000)}` }, { $inc: { n: 1 } }, { upsert: true }),
  deleteInsert: async () => {
    const id = `x${rnd(200)}`;
    await docs.deleteOne({ _id: id });
    await docs.insertOne({ _id: id, n: 0 }).catch(() => undefined); // a duplicate is a fine outcome
  },
  insertNewCollection: () => db.collection(`new_${newColl++ % 400}`).insertOne({ at: Date.now() }),
  createIndex: () => db.collection(`new_${rnd(400)}`).createIndex({ [`f${rnd(3)}`]: 1 }),
  findLarge: () => docs.find({}, { batchSize: 5000 }).toArray(),
  // a cursor whose first batch does not finish the result, left open for a while, as a slow client does
  cursor: async () => {
    const c = docs.find({}, { batchSize: 10 });
    await c.next();
    openCursors.push(c);
    if (openCursors.length > CONCURRENCY / 4) await openCursors.shift().close();
  },
};
const mixes = {
  all: Object.keys(ops),
  writes: ['updateDistinct', 'updateHot', 'findOneAndUpdate', 'updateMany', 'upsert', 'deleteInsert'],
  cursors: ['updateDistinct', 'cursor', 'findOneAndUpdate'],
};
const names = mixes[opt.mix] ?? opt.mix.split(',');

async function worker() {
  while (Date.now() < stopAt) {
    const name = names[rnd(names.length)];
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      await ops[name]();
      counts[name] = (counts[name] ?? 0) + 1;
    } catch (err) {
      failed++;
      if (failed <= 5) console.error(`${name}: ${err.message}`);
    } finally {
      inFlight--;
      done++;
      lastDone = Date.now();
    }
  }
}

async function dumpHang() {
  console.log(`HANG: nothing completed for ${STALL_MS / 1000}s with ${inFlight} operations in flight`);
  if (!server) return;
  const text = await (await fetch(`${server.debugUrl}/debug/pprof/goroutine?debug=2`)).text();
  const file = join(tmpdir(), `ferretdb-goroutines-${process.pid}.txt`);
  writeFileSync(file, text);
  console.log(`goroutine dump: ${file}`);
  // how many goroutines wait where: the first frame of ours or FerretDB's in each stack
  const where = {};
  for (const g of text.split('\n\n')) {
    const state = /^goroutine \d+ \[([^\],]+)/.exec(g)?.[1] ?? '?';
    const frame = g.split('\n').find((l) => /FerretDB\/internal\/(backends|handler)/.test(l)) ?? '-';
    const key = `${state} @ ${frame.replace(/\(0x.*$/, '').trim()}`;
    where[key] = (where[key] ?? 0) + 1;
  }
  for (const [k, n] of Object.entries(where)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12))
    console.log(`  ${n}\t${k}`);
  console.log(
    server
      .psql("SELECT state, count(*) FROM pg_stat_activity WHERE application_name = 'FerretDB' GROUP BY state")
      .trim(),
  );
}

const started = Date.now();
let hung = false;
const watchdog = setInterval(async () => {
  if (inFlight > 0 && Date.now() - lastDone > STALL_MS && !hung) {
    hung = true;
    stopAt = 0;
    await dumpHang();
    await server?.stop();
    process.exit(1);
  }
}, 500);
const ticker = setInterval(
  () => console.log(`${Math.round((Date.now() - started) / 1000)}s: ${done} ops, ${inFlight} in flight`),
  5000,
);

await Promise.all(Array.from({ length: CONCURRENCY }, worker));
clearInterval(watchdog);
clearInterval(ticker);
const elapsed = (Date.now() - started) / 1000;
console.log(
  `ok: ${done} ops in ${elapsed.toFixed(1)}s = ${Math.round(done / elapsed)} ops/s, ` +
    `max in flight ${maxInFlight}, failed ${failed}`,
);
console.log(JSON.stringify(counts));
for (const c of openCursors) await c.close().catch(() => undefined);
await db.dropDatabase();
await client.close();
await server?.stop();
