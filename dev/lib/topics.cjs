// Creates every topic of the contracts catalogue and its `.dlq` twin on the local broker (partition
// counts from the catalogue's topicSpecs(), 3 by default), then warms up the group and producer
// coordinators so the first test does not wait for them.
// Idempotent: existing topics are kept (and grown when they have fewer partitions than the catalogue says).
//
// The catalogue is read from packages/contracts/src/topics.ts (TOPICS, ALL_TOPICS, topicSpecs), compiled
// in memory with the TypeScript compiler: no build of the contracts package is needed first.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');
const { Kafka, logLevel } = require('kafkajs');
require('./kafkajs-fix.cjs');

const REPO_ROOT = path.resolve(__dirname, '../..');
const CATALOGUE = path.join(REPO_ROOT, 'packages/contracts/src/topics.ts');
const PARTITIONS = 3;
const DLQ_PARTITIONS = 3;

// Loads a TypeScript module and the relative modules it imports (plain TS, no decorators needed).
function loadTs(file, cache = new Map()) {
  if (cache.has(file)) return cache.get(file).exports;
  const source = fs.readFileSync(file, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
    },
    fileName: file,
  });
  const mod = { exports: {} };
  cache.set(file, mod);
  const localRequire = (spec) => {
    if (!spec.startsWith('.')) return require(spec);
    const base = path.resolve(path.dirname(file), spec).replace(/\.js$/, '');
    const candidates = [`${base}.ts`, path.join(base, 'index.ts')];
    const found = candidates.find((c) => fs.existsSync(c));
    if (!found) throw new Error(`cannot resolve ${spec} from ${path.relative(REPO_ROOT, file)}`);
    return loadTs(found, cache);
  };
  new Function('exports', 'require', 'module', '__filename', '__dirname', outputText)(
    mod.exports,
    localRequire,
    mod,
    file,
    path.dirname(file),
  );
  return mod.exports;
}

// The topics to create with their partition counts: the catalogue's own topicSpecs() when it has one,
// else ALL_TOPICS (or TOPICS) with their `.dlq` twins.
function catalogueSpecs() {
  if (!fs.existsSync(CATALOGUE)) {
    throw new Error(
      `${path.relative(REPO_ROOT, CATALOGUE)} is missing: the topic catalogue comes from @ticketing/contracts`,
    );
  }
  const catalogue = loadTs(CATALOGUE);
  let specs;
  if (typeof catalogue.topicSpecs === 'function') {
    specs = catalogue.topicSpecs('');
  } else {
    const names = Array.isArray(catalogue.ALL_TOPICS)
      ? catalogue.ALL_TOPICS
      : Object.values(catalogue.TOPICS || {});
    const main = names.filter((t) => !String(t).endsWith('.dlq'));
    specs = [
      ...main.map((name) => ({ name, partitions: PARTITIONS })),
      ...main.map((name) => ({ name: `${name}.dlq`, partitions: DLQ_PARTITIONS })),
    ];
  }
  const valid = (t) =>
    t && typeof t.name === 'string' && /^[A-Za-z0-9._-]+$/.test(t.name) && t.partitions >= 1;
  if (!specs.length || !specs.every(valid)) {
    throw new Error('packages/contracts/src/topics.ts must list topic names (ALL_TOPICS or topicSpecs())');
  }
  return [...new Map(specs.map((t) => [t.name, t])).values()];
}

async function retry(what, fn, attempts = 30, delayMs = 300) {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts) throw new Error(`${what}: ${err.message}`);
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}

async function main() {
  const specs = catalogueSpecs();
  const kafka = new Kafka({
    clientId: 'ticketing-dev-topics',
    brokers: (process.env.KAFKA_BROKERS || '127.0.0.1:19092').split(','),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((t) => !existing.has(t.name));
    if (missing.length) {
      await admin.createTopics({
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })),
        waitForLeaders: true,
      });
    }

    const present = specs.filter((t) => existing.has(t.name));
    let grown = 0;
    if (present.length) {
      const { topics } = await admin.fetchTopicMetadata({ topics: present.map((t) => t.name) });
      const want = new Map(present.map((t) => [t.name, t.partitions]));
      const grow = topics
        .filter((t) => t.partitions.length < want.get(t.name))
        .map((t) => ({ topic: t.name, count: want.get(t.name) }));
      if (grow.length) await admin.createPartitions({ topicPartitions: grow });
      grown = grow.length;
    }

    // Warm-up: the first FindCoordinator creates __consumer_offsets, the first InitProducerId readies
    // the producer-id manager; both would otherwise cost the first test a few seconds of retries.
    await retry('group coordinator', () => admin.describeGroups(['ticketing-dev-warmup']));
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await retry('idempotent producer', () => producer.connect());
    await producer.disconnect();

    const dlq = specs.filter((t) => t.name.endsWith('.dlq')).length;
    console.log(
      `topics: ${specs.length - dlq} catalogue + ${dlq} dead-letter (${missing.length} created, ${grown} grown)`,
    );
  } finally {
    await admin.disconnect();
  }
}

main().catch((err) => {
  console.error(`topics: ${err.message}`);
  process.exit(1);
});
