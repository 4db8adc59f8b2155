#!/usr/bin/env node
// The local MongoDB-compatible server alone: guarded single-document updates per second with N clients,
// on distinct documents and on one hot document, plus findOne by _id on a loaded collection. Runs a
// FerretDB binary on a private PostgreSQL cluster (bench/lib/private-ferretdb.mjs), so two builds can be
// compared on the same machine:
//
//   node bench/at-rest/server.mjs [--ferretdb <binary>] [--clients 16] [--seconds 5] [--docs 20000]
//
// Every guarded update is `updateOne({_id, n: {$gte: 1}}, {$inc: {n: -1, taken: 1}})`; the hot document
// starts with n = 1,000,000, so the count of successful updates must equal its `taken` at the end (a lost
// update would show as a difference: the check that the locking is still atomic under this load).
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPrivateFerretdb } from '../lib/private-ferretdb.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { MongoClient } = await import(
  join(root, 'node_modules/mongoose/node_modules/mongodb/lib/index.js')
).catch(() => import('mongodb'));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : process.argv[i + 1];
};
const CLIENTS = Number(arg('clients', 16));
const SECONDS = Number(arg('seconds', 5));
const DOCS = Number(arg('docs', 20_000));

const server = await startPrivateFerretdb({
  ferretdb: arg('ferretdb', undefined),
  log: (...a) => console.error(...a),
});
const client = await MongoClient.connect(server.MONGO_URL, { maxPoolSize: CLIENTS + 4 });
const coll = client.db('bench_server').collection('docs');
for (let i = 0; i < DOCS; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(DOCS, i + 1000); j++)
    batch.push({ _id: `d${j}`, n: 1_000_000, taken: 0, pad: 'x'.repeat(300) });
  await coll.insertMany(batch);
}
await coll.insertOne({ _id: 'hot', n: 1_000_000, taken: 0 });

async function measure(name, op) {
  let ok = 0;
  const lat = [];
  const end = Date.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let k = 0; Date.now() < end; k++) {
        const t = performance.now();
        if (await op(c, k)) ok++;
        lat.push(performance.now() - t);
      }
    }),
  );
  lat.sort((a, b) => a - b);
  const p = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))].toFixed(1);
  return { name, perSecond: Math.round(ok / SECONDS), p50: p(0.5), p99: p(0.99), ok };
}
const distinct = await measure('guarded updateOne, distinct documents', async (c, k) => {
  const r = await coll.updateOne(
    { _id: `d${(c * 7919 + k * 104729) % DOCS}`, n: { $gte: 1 } },
    { $inc: { n: -1, taken: 1 } },
  );
  return r.modifiedCount === 1;
});
const hot = await measure('guarded updateOne, one hot document', async () => {
  const r = await coll.updateOne({ _id: 'hot', n: { $gte: 1 } }, { $inc: { n: -1, taken: 1 } });
  return r.modifiedCount === 1;
});
const reads = await measure(
  'findOne by _id',
  async (c, k) => (await coll.findOne({ _id: `d${(c * 31 + k * 97) % DOCS}` })) !== null,
);
const hotDoc = await coll.findOne({ _id: 'hot' });
const [{ taken } = { taken: 0 }] = await coll
  .aggregate([{ $match: { _id: { $ne: 'hot' } } }, { $group: { _id: null, taken: { $sum: '$taken' } } }])
  .toArray();
await client.close();
await server.stop();

console.log(
  `Server: ${server.ferretBin.split('/').pop()}; ${CLIENTS} clients, ${SECONDS} s each, ${DOCS} documents.\n`,
);
console.log('| Operation | ops/s | p50 ms | p99 ms |');
console.log('|---|---:|---:|---:|');
for (const r of [distinct, hot, reads]) console.log(`| ${r.name} | ${r.perSecond} | ${r.p50} | ${r.p99} |`);
const lost = distinct.ok - taken + (hot.ok - hotDoc.taken);
console.log(`\nLost updates (successful updates minus the increments stored): ${lost}`);
if (lost !== 0) process.exitCode = 1;
