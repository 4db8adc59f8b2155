#!/usr/bin/env node
// Ceiling for the propagation latencies (a floor, since lower is better): the two hops that purchase → price
// and scan → dashboard both ride on, measured raw on the shared stack with the clients the services use. One
// sample: a message produced to Kafka (kafkajs, acks from all replicas, as the platform's producer sends) until
// a consumer (maxWaitTime 1 s, the platform's default) receives it, then a Redis PUBLISH until a subscriber
// (ioredis) receives it. Samples are sequential, 20 ms apart. No service, no database write: what our paths add
// on top (outbox, relay polling, debounce, MongoDB writes, GraphQL, the gateway) is the difference.
//
//   node bench/ceiling/pipeline.mjs [--samples 100] [--json <file>]
//
// Throwaway topic, consumer group and Redis channel (removed at the end).
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

/** Kafka produce → consume, Redis publish → deliver, and both in a row: { kafka, redis, path } each {p50, p95, p99}. */
export async function measurePipeline({ samples = 100 } = {}) {
  const testing = await import(join(root, 'packages/platform/dist/testing/index.js'));
  const { Kafka, logLevel } = await import('kafkajs');
  const { default: Redis } = await import('ioredis');
  const ctx = testing.createTestContext('bench-ceiling-pipeline');
  const [topic] = await testing.ensureTopics(ctx, ['bench.pipeline']);
  const kafka = new Kafka({
    clientId: 'bench-pipeline',
    brokers: ctx.env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: `${ctx.groupPrefix}pipeline`, maxWaitTimeInMs: 1_000 });
  const pub = new Redis(ctx.env.REDIS_URL);
  const sub = new Redis(ctx.env.REDIS_URL);
  const channel = `${ctx.redisPrefix}pipeline`;
  const waiting = new Map();
  const arrived = (key) => waiting.get(key)?.(performance.now());
  const kafkaMs = [];
  const redisMs = [];
  const pathMs = [];
  try {
    await Promise.all([producer.connect(), consumer.connect()]);
    await consumer.subscribe({ topic, fromBeginning: false });
    // The first assignment takes a rebalance; a probe message tells when the consumer is really reading.
    let ready = false;
    await consumer.run({
      eachMessage: async ({ message }) => {
        ready = true;
        arrived(`k${message.value.toString()}`);
      },
    });
    await sub.subscribe(channel);
    sub.on('message', (_, message) => arrived(`r${message}`));
    for (let i = 0; !ready; i++) {
      if (i > 300) throw new Error('the pipeline consumer never received its probe');
      await producer.send({ topic, acks: -1, messages: [{ key: 'probe', value: 'probe' }] });
      await sleep(100);
    }
    // Cleared once the message is in, so no timer outlives the samples.
    const wait = (key) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${key} never arrived`)), 10_000);
        waiting.set(key, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
    for (let i = 0; i < samples; i++) {
      const consumed = wait(`k${i}`);
      const t0 = performance.now();
      await producer.send({ topic, acks: -1, messages: [{ key: String(i % 3), value: String(i) }] });
      const t1 = await consumed;
      const delivered = wait(`r${i}`);
      await pub.publish(channel, String(i));
      const t2 = await delivered;
      kafkaMs.push(t1 - t0);
      redisMs.push(t2 - t1);
      pathMs.push(t2 - t0);
      waiting.clear();
      await sleep(20);
    }
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    sub.disconnect();
    pub.disconnect();
    await testing.dropTestContext(ctx, { mongo: false }).catch(() => undefined);
  }
  const summary = (list) => {
    const sorted = [...list].sort((a, b) => a - b);
    return { p50: pct(sorted, 50), p95: pct(sorted, 95), p99: pct(sorted, 99), samples: sorted.length };
  };
  return { kafka: summary(kafkaMs), redis: summary(redisMs), path: summary(pathMs) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--samples');
  const samples = Math.min(i === -1 ? 100 : Number(process.argv[i + 1]), 1000);
  const r = await measurePipeline({ samples });
  const j = process.argv.indexOf('--json');
  if (j !== -1) writeFileSync(process.argv[j + 1], JSON.stringify(r, null, 2));
  const f = (s) => `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)} / ${s.p99.toFixed(1)} ms`;
  process.stdout.write(
    `Kafka produce → consume ${f(r.kafka)}; Redis publish → deliver ${f(r.redis)}; both ${f(r.path)} (p50 / p95 / p99, ${samples} samples)\n`,
  );
}
