import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getConnectionToken } from '@nestjs/mongoose';
import { dlqTopic, sampleEnvelope, TOPICS, type EventEnvelope } from '@ticketing/contracts';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  freePort,
  recordQueries,
  unindexedQueries,
  type TestContext,
} from '../src/testing';
import { Kafka, logLevel, type Consumer, type IHeaders, type KafkaMessage, type Producer } from 'kafkajs';
import { Schema, type Connection, type Model } from 'mongoose';
import { register } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  baseConfigSchema,
  configureLogging,
  currentTraceId,
  HealthRegistry,
  loadConfig,
  PlatformModule,
  RedisService,
} from '../src';
import {
  appendOutbox,
  KafkaModule,
  KafkaService,
  OutboxRelay,
  PROCESSED_MESSAGES_COLLECTION,
  withOutbox,
  type ConsumerHandle,
  type OutboxFields,
} from '../src/kafka';
import { waitFor } from './support/wait-for';

// Real broker (127.0.0.1:19092) and MongoDB-compatible server (27018), isolated by a per-file prefix.
const TOPIC = TOPICS.eventViews;
const DLQ = dlqTopic(TOPIC);
const OUTBOX_TOPIC = TOPICS.events;

interface Handled {
  envelope: EventEnvelope;
  traceInHandler: string | undefined;
  headers: IHeaders;
  partition: number;
}

const header = (headers: IHeaders | undefined, name: string) => headers?.[name]?.toString();

/** A fresh event.viewed envelope (unique id) for the topic under test. */
function viewed(traceId = randomUUID().replace(/-/g, '')): EventEnvelope<'event.viewed'> {
  return sampleEnvelope('event.viewed', { id: randomUUID(), traceId, source: 'kafka-e2e' });
}

function published(): EventEnvelope<'event.published'> {
  return sampleEnvelope('event.published', { id: randomUUID(), source: 'kafka-e2e' });
}

interface AggregateDoc extends OutboxFields {
  _id: string;
  state: string;
}

describe('KafkaService and OutboxRelay against the real broker', () => {
  let ctx: TestContext;
  let app: INestApplicationContext;
  let kafka: KafkaService;
  let relay: OutboxRelay;
  let connection: Connection;
  let raw: Kafka;
  let rawProducer: Producer;
  let dlqReader: Consumer;
  const dlqSeen: KafkaMessage[] = [];

  // Main group: behaviour per envelope id, every call recorded.
  const calls = new Map<string, number>();
  const handled: Handled[] = [];
  const failing = new Set<string>();
  let main: ConsumerHandle;
  // Second group on the same topic.
  const otherSeen: string[] = [];
  // Consumer of the outbox topic.
  const outboxSeen: EventEnvelope[] = [];

  beforeAll(async () => {
    configureLogging({ service: 'kafka-e2e', level: 'fatal' }); // dead letters here are on purpose
    ctx = createTestContext('kafka');
    await ensureTopics(ctx, [TOPIC, OUTBOX_TOPIC]);
    const config = loadConfig(baseConfigSchema('kafka-e2e', 4999), ctx.env);

    @Module({
      imports: [
        PlatformModule.forRoot({ serviceName: 'kafka-e2e', config, mongo: true }),
        KafkaModule.forRoot(),
      ],
    })
    class TestAppModule {}

    app = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
    await app.init();
    kafka = app.get(KafkaService);
    relay = app.get(OutboxRelay);
    connection = app.get<Connection>(getConnectionToken());

    raw = new Kafka({ clientId: 'kafka-e2e-raw', brokers: config.KAFKA_BROKERS, logLevel: logLevel.NOTHING });
    rawProducer = raw.producer();
    await rawProducer.connect();
    dlqReader = raw.consumer({ groupId: `${ctx.groupPrefix}dlq-reader`, maxWaitTimeInMs: 100 });
    await dlqReader.connect();
    await dlqReader.subscribe({ topics: [ctx.topicPrefix + DLQ], fromBeginning: true });
    await dlqReader.run({ eachMessage: async ({ message }) => void dlqSeen.push(message) });

    const fast = { backoffMs: 50, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 };
    [main] = await Promise.all([
      kafka.consume({
        groupId: 'main',
        topics: [TOPIC],
        ...fast,
        handler: async (envelope, ctx) => {
          calls.set(envelope.id, (calls.get(envelope.id) ?? 0) + 1);
          if (failing.has(envelope.id)) throw new Error(`boom ${envelope.id}`);
          handled.push({
            envelope,
            traceInHandler: currentTraceId(),
            headers: ctx.headers,
            partition: ctx.partition,
          });
        },
      }),
      kafka.consume({
        groupId: 'other',
        topics: [TOPIC],
        ...fast,
        handler: (e) => void otherSeen.push(e.id),
      }),
      kafka.consume({
        groupId: 'outbox-reader',
        topics: [OUTBOX_TOPIC],
        ...fast,
        handler: (e) => void outboxSeen.push(e),
      }),
    ]);
  });

  afterAll(async () => {
    await app?.close();
    await dlqReader?.disconnect();
    await rawProducer?.disconnect();
    if (ctx) await dropTestContext(ctx);
  });

  it('delivers a published envelope to every consumer group, with trace id and headers', async () => {
    const envelope = viewed();
    await kafka.publishEvent(envelope);

    const got = await waitFor('main group', () => handled.find((h) => h.envelope.id === envelope.id));
    await waitFor('other group', () => otherSeen.includes(envelope.id));
    expect(got.envelope).toEqual(envelope);
    expect(got.traceInHandler).toBe(envelope.traceId);
    expect(header(got.headers, 'trace-id')).toBe(envelope.traceId);
    expect(header(got.headers, 'event-type')).toBe('event.viewed');
    expect(header(got.headers, 'event-id')).toBe(envelope.id);
    expect(main.groupId).toBe(`${ctx.topicPrefix}main`);
  });

  it('dead-letters a message whose handler throws 3 times, with the error in its headers, and moves on', async () => {
    const bad = viewed();
    const next = viewed();
    failing.add(bad.id);
    await kafka.publish(TOPIC, bad);
    await kafka.publish(TOPIC, next); // same key → same partition, after the bad one

    await waitFor('the next message', () => handled.find((h) => h.envelope.id === next.id));
    expect(calls.get(bad.id)).toBe(3);
    const dead = await waitFor('dead letter', () =>
      dlqSeen.find((m) => header(m.headers, 'event-id') === bad.id),
    );
    expect(header(dead.headers, 'dlq-error')).toBe(`boom ${bad.id}`);
    expect(header(dead.headers, 'dlq-attempts')).toBe('3');
    expect(header(dead.headers, 'dlq-original-topic')).toBe(ctx.topicPrefix + TOPIC);
    expect(Number(header(dead.headers, 'dlq-original-partition'))).toBeGreaterThanOrEqual(0);
    expect(header(dead.headers, 'dlq-original-offset')).toMatch(/^\d+$/);
    expect(header(dead.headers, 'trace-id')).toBe(bad.traceId);
    expect(JSON.parse(dead.value!.toString())).toEqual(bad);
    expect(handled.some((h) => h.envelope.id === bad.id)).toBe(false);
    const dlqCount = await register.getSingleMetric('kafka_dlq_total')!.get();
    expect(
      dlqCount.values.find((v) => v.labels.group === main.groupId && v.labels.reason === 'failed')?.value,
    ).toBeGreaterThanOrEqual(1);
  });

  it('processes a redelivered envelope (same id published twice) once', async () => {
    const envelope = viewed();
    const marker = viewed();
    await kafka.publish(TOPIC, envelope);
    await kafka.publish(TOPIC, envelope);
    await kafka.publish(TOPIC, marker);

    const done = await waitFor('marker', () => handled.find((h) => h.envelope.id === marker.id));
    expect(calls.get(envelope.id)).toBe(1);
    expect(handled.filter((h) => h.envelope.id === envelope.id)).toHaveLength(1);
    const entry = await connection
      .collection(PROCESSED_MESSAGES_COLLECTION)
      .findOne({ _id: `${main.groupId}:${envelope.id}` as never });
    expect(entry).not.toBeNull();
    const consumed = (await register.getSingleMetric('kafka_messages_consumed_total')!.get()).values;
    const duplicates = consumed.find(
      (v) => v.labels.group === main.groupId && v.labels.outcome === 'duplicate',
    );
    expect(duplicates?.value).toBeGreaterThanOrEqual(1);
    // Everything on the marker's partition is handled, so its lag gauge reads 0.
    await waitFor('lag gauge at 0', async () =>
      (await register.getSingleMetric('kafka_consume_lag')!.get()).values.some(
        (v) =>
          v.labels.group === main.groupId && v.labels.partition === String(done.partition) && v.value === 0,
      ),
    );
  });

  it('falls back to Redis SET NX for idempotency when the service has no MongoDB', async () => {
    const redis = new RedisService(
      { REDIS_URL: ctx.env.REDIS_URL, REDIS_KEY_PREFIX: ctx.redisPrefix, SERVICE_NAME: 'kafka-e2e' },
      new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 1_000 }),
    );
    await redis.onModuleInit();
    const noMongo = new KafkaService(
      {
        brokers: ctx.env.KAFKA_BROKERS.split(','),
        clientId: 'kafka-e2e-redis',
        topicPrefix: ctx.topicPrefix,
        serviceName: 'kafka-e2e',
      },
      undefined,
      redis,
    );
    const seen: string[] = [];
    try {
      const handle = await noMongo.consume({
        groupId: 'redis-idempotency',
        topics: [TOPIC],
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        handler: (e) => void seen.push(e.id),
      });
      const envelope = viewed();
      const marker = viewed();
      await kafka.publishAll([
        { topic: TOPIC, envelope },
        { topic: TOPIC, envelope },
        { topic: TOPIC, envelope: marker },
      ]);
      await waitFor('marker via the redis-backed consumer', () => seen.includes(marker.id));
      expect(seen.filter((id) => id === envelope.id)).toHaveLength(1);
      expect(await redis.client.exists(redis.key('processed', handle.groupId, envelope.id))).toBe(1);
    } finally {
      await noMongo.close();
      await redis.onApplicationShutdown();
    }
  });

  it('sends invalid JSON and contract violations to the DLQ without calling the handler', async () => {
    const key = viewed().key;
    const wrong = { ...viewed(), data: { eventId: 42 } };
    const marker = viewed();
    await rawProducer.send({
      topic: ctx.topicPrefix + TOPIC,
      messages: [
        { key, value: '{not json', headers: { 'event-id': 'not-json' } },
        { key, value: JSON.stringify(wrong), headers: { 'event-id': wrong.id } },
      ],
    });
    await kafka.publish(TOPIC, marker);

    await waitFor('marker', () => handled.find((h) => h.envelope.id === marker.id));
    const notJson = await waitFor('not-json dead letter', () =>
      dlqSeen.find((m) => header(m.headers, 'event-id') === 'not-json'),
    );
    const violation = await waitFor('contract dead letter', () =>
      dlqSeen.find((m) => header(m.headers, 'event-id') === wrong.id),
    );
    expect(header(notJson.headers, 'dlq-error')).toMatch(/^invalid JSON/);
    expect(header(notJson.headers, 'dlq-attempts')).toBe('0');
    expect(notJson.value!.toString()).toBe('{not json');
    expect(header(violation.headers, 'dlq-error')).toMatch(/^contract violation: .*data\.eventId/);
    expect(calls.has(wrong.id)).toBe(false);
  });

  describe('outbox', () => {
    let Aggregates: Model<AggregateDoc>;

    beforeAll(() => {
      const schema = withOutbox(new Schema<AggregateDoc>({ _id: String, state: String }));
      Aggregates = connection.model<AggregateDoc>('OutboxAggregate', schema, 'outbox_aggregates');
      relay.register(Aggregates);
    });

    it('publishes a document’s outbox messages in order and empties it', async () => {
      const first = published();
      const second = { ...published(), key: first.key }; // same event → same partition
      const id = randomUUID();
      await Aggregates.create({ _id: id, state: 'created', outbox: [first, second] });
      relay.nudge();

      await waitFor('both messages', () => outboxSeen.some((e) => e.id === second.id));
      const order = outboxSeen.map((e) => e.id).filter((x) => x === first.id || x === second.id);
      expect(order).toEqual([first.id, second.id]);
      expect(outboxSeen.find((e) => e.id === first.id)).toEqual(first);
      const doc = await waitFor('empty outbox', async () => {
        const d = await Aggregates.findById(id).lean();
        return d && d.outbox.length === 0 && d.outboxLeaseUntil === null ? d : undefined;
      });
      expect(doc.state).toBe('created');

      // A later state change queues its event in the same atomic update.
      const third = published();
      await Aggregates.updateOne(
        { _id: id, state: 'created' },
        { $set: { state: 'updated' }, ...appendOutbox([third]) },
      );
      relay.nudge();
      await waitFor('appended message', () => outboxSeen.some((e) => e.id === third.id));
      await waitFor(
        'outbox emptied again',
        async () => (await Aggregates.findById(id).lean())?.outbox.length === 0,
      );
    });

    it('marks a document pending in the write that appends, and clears the mark once drained', async () => {
      const Marked = connection.model<AggregateDoc>(
        'MarkedAggregate',
        withOutbox(new Schema<AggregateDoc>({ _id: String, state: String })),
        'outbox_marked',
      );
      const created = randomUUID();
      const updated = randomUUID();
      const quiet = randomUUID();
      await Marked.create({ _id: created, state: 'created', outbox: [published()] });
      await Marked.create({ _id: updated, state: 'created' });
      await Marked.create({ _id: quiet, state: 'created' });
      await Marked.updateOne(
        { _id: updated },
        { $set: { state: 'updated' }, ...appendOutbox([published()]) },
      );
      await Marked.updateOne({ _id: quiet }, { $set: { state: 'updated' } });
      const pending = async (id: string) => (await Marked.findById(id).lean())!.outboxPending;
      // Nothing published them yet (no relay loop for this model): the marks come from the writes.
      expect([await pending(created), await pending(updated), await pending(quiet)]).toEqual([
        true,
        true,
        false,
      ]);
      // The state change kept its own $set beside the mark.
      expect((await Marked.findById(updated).lean())!.state).toBe('updated');

      const loop = relay.register(Marked, { pollMs: 100 });
      try {
        await waitFor(
          'both drained and unmarked',
          async () =>
            (await Marked.countDocuments({ outboxPending: true })) === 0 &&
            (await Marked.countDocuments({ 'outbox.0': { $exists: true } })) === 0,
        );
      } finally {
        await loop.stop();
      }
    });

    it('finds pending documents by an indexed query, without reading the drained ones', async () => {
      const Busy = connection.model<AggregateDoc>(
        'BusyAggregate',
        withOutbox(new Schema<AggregateDoc>({ _id: String, state: String })),
        'outbox_busy',
      );
      await Busy.init();
      // A collection that grew with the business: thousands of drained documents, one pending.
      for (let i = 0; i < 3; i++) {
        await Busy.insertMany(
          Array.from({ length: 1000 }, () => ({ _id: randomUUID(), state: 'done', outbox: [] })),
        );
      }
      const message = published();
      await Busy.create({ _id: randomUUID(), state: 'new', outbox: [message] });

      const recording = recordQueries(connection);
      const loop = relay.register(Busy, { pollMs: 100, gaugeEveryMs: 0 });
      try {
        await waitFor('the pending message', () => outboxSeen.some((e) => e.id === message.id));
        await waitFor(
          'marker cleared',
          async () => (await Busy.countDocuments({ outboxPending: true })) === 0,
        );
      } finally {
        await loop.stop();
        recording.stop();
      }
      const relayQueries = recording.queries.filter((q) => q.collection === 'outbox_busy');
      expect(relayQueries.length).toBeGreaterThan(0);
      // Every query the relay made (claim, gauge, finish) is answered through an index.
      expect(await unindexedQueries(connection, relayQueries, [Busy as never])).toEqual([]);
    });

    it('keeps retrying a document the broker refuses, with growing delays, while the ones behind it go out', async () => {
      const Mixed = connection.model<AggregateDoc>(
        'MixedAggregate',
        withOutbox(new Schema<AggregateDoc>({ _id: String, state: String })),
        'outbox_mixed',
      );
      // Over the broker's 1 MB message limit: refused every time, however often it is retried.
      const poison = {
        ...published(),
        data: { ...published().data, description: randomUUID().repeat(40_000) },
      };
      const poisonId = randomUUID();
      await Mixed.create({ _id: poisonId, state: 'created', outbox: [poison] });
      const fine = [published(), published(), published()];
      for (const message of fine)
        await Mixed.create({ _id: randomUUID(), state: 'created', outbox: [message] });

      const loop = relay.register(Mixed, { pollMs: 100 });
      try {
        await waitFor('the documents behind the refused one', () =>
          fine.every((m) => outboxSeen.some((e) => e.id === m.id)),
        );
        const stuck = await Mixed.findById(poisonId).lean();
        expect(stuck!.outbox.map((m) => m.id)).toEqual([poison.id]);
        expect(outboxSeen.some((e) => e.id === poison.id)).toBe(false);
        // It is not dropped: it stays marked pending, under a lease that lapses for the next try.
        expect(stuck!.outboxPending).toBe(true);
        expect(stuck!.outboxLeaseUntil).toBeInstanceOf(Date);
        expect(await Mixed.countDocuments({ 'outbox.0': { $exists: true } })).toBe(1);
      } finally {
        await loop.stop();
      }
    });

    it('keeps messages while the broker is unreachable and delivers them once a working relay runs', async () => {
      const Stranded = connection.model<AggregateDoc>(
        'StrandedAggregate',
        withOutbox(new Schema<AggregateDoc>({ _id: String, state: String })),
        'outbox_stranded',
      );
      const port = await freePort();
      const deadKafka = new KafkaService(
        {
          brokers: [`127.0.0.1:${port}`],
          clientId: 'dead',
          topicPrefix: ctx.topicPrefix,
          serviceName: 'kafka-e2e',
        },
        connection,
      );
      const deadRelay = new OutboxRelay(deadKafka);
      deadRelay.register(Stranded, { pollMs: 100 });
      deadRelay.start();

      const first = published();
      const second = { ...published(), key: first.key };
      const id = randomUUID();
      await Stranded.create({ _id: id, state: 'created', outbox: [first, second] });
      deadRelay.nudge();

      const errors = async () =>
        (await register.getSingleMetric('kafka_messages_published_total')!.get()).values
          .filter((v) => v.labels.outcome === 'error')
          .reduce((n, v) => n + v.value, 0);
      const before = await errors();
      await waitFor('failed publish attempts', async () => (await errors()) >= before + 4, 10_000);
      const stranded = await Stranded.findById(id).lean();
      expect(stranded!.outbox.map((m) => m.id)).toEqual([first.id, second.id]);
      expect(outboxSeen.some((e) => e.id === first.id)).toBe(false);

      await deadRelay.stop();
      await deadKafka.close();
      relay.register(Stranded);
      relay.nudge();
      await waitFor('stranded messages delivered', () => outboxSeen.some((e) => e.id === second.id));
      const order = outboxSeen.map((e) => e.id).filter((x) => x === first.id || x === second.id);
      expect(order).toEqual([first.id, second.id]);
      await waitFor(
        'stranded outbox emptied',
        async () => (await Stranded.findById(id).lean())?.outbox.length === 0,
      );
    });
  });

  it('reports readiness through the health registry, and fails within about a second when the broker is down', async () => {
    const health = app.get(HealthRegistry);
    expect(health.names()).toContain('kafka');
    const report = await health.run();
    expect(report.checks.kafka.status).toBe('up');

    const port = await freePort();
    const dead = new KafkaService({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'dead',
      topicPrefix: '',
      serviceName: 'kafka-e2e',
    });
    const started = Date.now();
    await expect(dead.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_500);
    await expect(dead.publish(TOPIC, viewed())).rejects.toThrow();
    await dead.close();
  });
});
