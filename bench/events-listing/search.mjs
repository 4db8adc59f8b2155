#!/usr/bin/env node
// How to search without `$text` (ARCHITECTURE.md §7): compares, on the local MongoDB-compatible server,
// the service's prefix-term array (`searchTerms: { $all: [...] }`, multikey index) with regular
// expressions over one normalised text field. Prints a Markdown table (run.mjs appends it to REPORT.md).
//
//   node bench/events-listing/search.mjs [--docs 2000] [--queries 200]
import { randomUUID } from 'node:crypto';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './load.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { default: mongoose } = await import(join(root, 'node_modules/mongoose/index.js'));
const terms = await import(join(root, 'services/event/dist/events/domain/search-terms.js'));

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
}

export async function measureSearch({
  docs = 2000,
  queries = 200,
  mongoUrl = process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27018',
} = {}) {
  const words = [
    'jazz',
    'rock',
    'opera',
    'comedy',
    'festival',
    'théâtre',
    'symphony',
    'techno',
    'blues',
    'ballet',
    'marathon',
    'derby',
  ];
  const cities = ['Lyon', 'Paris', 'Marseille', 'Lille', 'Nantes', 'Orléans', 'Besançon'];
  const dbName = `bench_search_${randomUUID().slice(0, 8)}`;
  const conn = await mongoose.createConnection(mongoUrl, { dbName }).asPromise();
  try {
    const col = conn.collection('events');
    const batch = [];
    for (let i = 0; i < docs; i += 1) {
      const title = `${words[i % words.length]} ${words[(i * 7) % words.length]} night ${i}`;
      const city = cities[i % cities.length];
      batch.push({
        _id: randomUUID(),
        status: 'PUBLISHED',
        title,
        searchTerms: terms.searchTermsFor([title, city]),
        searchText: ` ${terms.words(`${title} ${city}`).join(' ')}`,
      });
    }
    await col.insertMany(batch);
    await col.createIndex({ searchTerms: 1 });
    await col.createIndex({ searchText: 1 });
    const probes = ['jazz', 'sym', 'theatre besan', 'blues lyon'];
    const strategies = {
      'searchTerms $all (prefix terms, multikey index)': (q) => ({
        status: 'PUBLISHED',
        searchTerms: { $all: terms.queryTerms(q) },
      }),
      'regex on normalised text, word prefixes (unanchored)': (q) => ({
        status: 'PUBLISHED',
        $and: terms.queryTerms(q).map((t) => ({ searchText: { $regex: ` ${t}` } })),
      }),
      'anchored regex on normalised text (title start only)': (q) => ({
        status: 'PUBLISHED',
        searchText: { $regex: `^ ${terms.queryTerms(q).join(' ')}` },
      }),
    };
    const rows = [];
    for (const [name, build] of Object.entries(strategies)) {
      const latencies = [];
      let matched = 0;
      for (let i = 0; i < queries; i += 1) {
        const q = probes[i % probes.length];
        const started = process.hrtime.bigint();
        const found = await col.find(build(q)).limit(20).toArray();
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        matched += found.length;
      }
      latencies.sort((a, b) => a - b);
      rows.push(
        `| ${name} | ${percentile(latencies, 50).toFixed(2)} | ${percentile(latencies, 95).toFixed(2)} | ${(matched / queries).toFixed(1)} |`,
      );
    }
    return `| Search strategy (${docs} events, ${queries} queries, limit 20) | p50 ms | p95 ms | avg hits |\n|---|---:|---:|---:|\n${rows.join('\n')}\n`;
  } finally {
    await conn.dropDatabase().catch(() => undefined);
    await conn.close();
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(await measureSearch({ docs: arg('docs', 2000), queries: arg('queries', 200) }));
}
