import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { dlqTopic, sampleEnvelope, TOPICS, type EventEnvelope } from '@ticketing/contracts';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogging, HealthRegistry, RedisService } from '../src';
import { KafkaService } from '../src/kafka';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  sleep,
  startRedisServer,
  type TestContext,
  type ThrowawayRedis,
} from '../src/testing';
import { waitFor } from './support/wait-for';

// Consumer behaviour under faults of its own dependencies, against the real broker: an idempotency
// store outage must delay messages (never dead-letter them), and a hung handler must not hold shutdown.
const TOPIC = TOPICS.eventViews;

const viewed = (): EventEnvelope<'event.viewed'> =>
  sampleEnvelope('event.viewed', { id: randomUUID(), source: 'kafka-faults' });

describe('Kafka consumer faults', () => {
  let ctx: TestContext;
  let raw: Kafka;

  async function dlqMessages(): Promise<number> {
    const admin = raw.admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchTopicOffsets(ctx.topicPrefix + dlqTopic(TOPIC));
      return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
    } finally {
      await admin.disconnect();
    }
  }

  function redisService(url: string): RedisService {
    return new RedisService(
      { REDIS_URL: url, REDIS_KEY_PREFIX: ctx.redisPrefix, SERVICE_NAME: 'kafka-faults' },
      new HealthRegistry({ HEALTH_CHECK_TIMEOUT_MS: 1_000 }),
    );
  }

  function kafkaWith(redis: RedisService, clientId: string): KafkaService {
    return new KafkaService(
      {
        brokers: ctx.env.KAFKA_BROKERS.split(','),
        clientId,
        topicPrefix: ctx.topicPrefix,
        serviceName: 'kafka-faults',
      },
      undefined,
      redis,
    );
  }

  beforeAll(async () => {
    configureLogging({ service: 'kafka-faults', level: 'fatal' });
    ctx = createTestContext('kafka-faults');
    await ensureTopics(ctx, [TOPIC]);
    raw = new Kafka({
      clientId: 'kafka-faults-raw',
      brokers: ctx.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(async () => {
    if (ctx) await dropTestContext(ctx, { mongo: false });
  });

  it('holds a message while the idempotency store is down and handles it once it is back, never dead-lettering it', async () => {
    let store: ThrowawayRedis | undefined;
    let redis: RedisService | undefined;
    let kafka: KafkaService | undefined;
    try {
      store = await startRedisServer();
      redis = redisService(store.url);
      await redis.onModuleInit();
      kafka = kafkaWith(redis, 'kafka-faults-store');
      const handled: string[] = [];
      await kafka.consume({
        groupId: 'store-outage',
        topics: [TOPIC],
        maxAttempts: 3,
        backoffMs: 50,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        handler: (e) => void handled.push(e.id),
      });

      await store.stop();
      const envelope = viewed();
      await kafka.publish(TOPIC, envelope);
      // Three handler attempts with 50 ms backoff would be over in well under a second.
      await sleep(2_000);
      expect(handled).toEqual([]);
      expect(await dlqMessages()).toBe(0);

      await store.start();
      await waitFor('the held message to be handled', () => handled.includes(envelope.id));
      expect(handled.filter((id) => id === envelope.id)).toHaveLength(1);
      expect(await dlqMessages()).toBe(0);
    } finally {
      await kafka?.close();
      await redis?.onApplicationShutdown();
      await store?.stop();
    }
  }, 40_000);

  it('stop() leaves after stopGraceMs when a handler hangs, and the record is redelivered, not committed', async () => {
    const redis = redisService(ctx.env.REDIS_URL);
    await redis.onModuleInit();
    const first = kafkaWith(redis, 'kafka-faults-hang-1');
    const second = kafkaWith(redis, 'kafka-faults-hang-2');
    try {
      const entered: string[] = [];
      const handle = await first.consume({
        groupId: 'hang',
        topics: [TOPIC],
        stopGraceMs: 500,
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        handler: (e) => {
          entered.push(e.id);
          return new Promise<void>(() => undefined); // never settles
        },
      });
      await first.publish(TOPIC, viewed());
      // The group reads the topic from the beginning: the first record it meets hangs.
      const hungId = await waitFor('the handler to start', () => entered[0]);

      const started = Date.now();
      await handle.stop();
      expect(Date.now() - started).toBeLessThan(5_000);

      const redelivered: string[] = [];
      await second.consume({
        groupId: 'hang',
        topics: [TOPIC],
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        handler: (e) => void redelivered.push(e.id),
      });
      await waitFor('the uncommitted record to reach the next member', () => redelivered.includes(hungId));
    } finally {
      await first.close();
      await second.close();
      await redis.onApplicationShutdown();
    }
  }, 60_000);
});
