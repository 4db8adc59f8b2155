import { ALL_TOPICS, dlqTopic } from '@ticketing/contracts';
import Redis from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  type TestContext,
} from '../src/testing/test-context';

describe('test contexts on the shared stack', () => {
  const created: TestContext[] = [];
  afterAll(async () => {
    for (const ctx of created.splice(0)) await dropTestContext(ctx).catch(() => undefined);
  });

  it('gives every context its own database, topic/group prefix and Redis prefix, and the env to use them', () => {
    const a = createTestContext('Orders & Tickets!');
    const b = createTestContext('Orders & Tickets!');
    expect(a.dbName).not.toBe(b.dbName);
    expect(a.topicPrefix).not.toBe(b.topicPrefix);
    expect(a.redisPrefix).not.toBe(b.redisPrefix);
    expect(a.dbName).toMatch(/^t_orders_tickets_[a-z0-9_]+$/);
    expect(a.dbName.length).toBeLessThanOrEqual(60);
    expect(a.topicPrefix).toMatch(/^t-orders-tickets-[a-z0-9]+\.$/);
    expect(a.groupPrefix).toBe(a.topicPrefix);
    expect(a.env).toMatchObject({
      MONGO_DB: a.dbName,
      KAFKA_TOPIC_PREFIX: a.topicPrefix,
      REDIS_KEY_PREFIX: a.redisPrefix,
      NODE_ENV: 'test',
    });
  });

  it('creates the prefixed catalogue with .dlq twins, and drops database, topics and keys again', async () => {
    const ctx = createTestContext('platform-context');
    created.push(ctx);

    const names = await ensureTopics(ctx);
    const expected = ALL_TOPICS.flatMap((topic) => [
      ctx.topicPrefix + topic,
      ctx.topicPrefix + dlqTopic(topic),
    ]);
    expect(names.sort()).toEqual([...expected].sort());
    // Idempotent: a second call finds them and creates nothing.
    expect((await ensureTopics(ctx)).sort()).toEqual([...expected].sort());

    const kafka = new Kafka({
      clientId: 'context-spec',
      brokers: ctx.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const listed = (await admin.listTopics()).filter((t) => t.startsWith(ctx.topicPrefix));
      expect(listed.sort()).toEqual([...expected].sort());
      const metadata = await admin.fetchTopicMetadata({ topics: [ctx.topicPrefix + ALL_TOPICS[0]] });
      expect(metadata.topics[0].partitions.length).toBeGreaterThanOrEqual(1);

      const connection = await mongoose
        .createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName })
        .asPromise();
      await connection.collection('things').insertOne({ n: 1 });
      const redis = new Redis(ctx.env.REDIS_URL);
      await redis.set(`${ctx.redisPrefix}a`, '1');
      await redis.set(`${ctx.redisPrefix}b:c`, '2');
      const foreignKey = `t:someone-else-${Date.now()}`;
      await redis.set(foreignKey, 'keep', 'EX', 60);

      await dropTestContext(ctx);

      const databases = await connection.db!.admin().listDatabases();
      expect(databases.databases.map((d: { name: string }) => d.name)).not.toContain(ctx.dbName);
      await connection.close();
      expect(await redis.exists(`${ctx.redisPrefix}a`, `${ctx.redisPrefix}b:c`)).toBe(0);
      expect(await redis.get(foreignKey)).toBe('keep');
      await redis.del(foreignKey);
      redis.disconnect();

      const deadline = Date.now() + 10_000;
      let left = (await admin.listTopics()).filter((t) => t.startsWith(ctx.topicPrefix));
      while (left.length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        left = (await admin.listTopics()).filter((t) => t.startsWith(ctx.topicPrefix));
      }
      expect(left).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
