import { randomBytes } from 'node:crypto';
import { ALL_TOPICS, dlqTopic, TOPIC_CONFIG } from '@ticketing/contracts';
import Redis from 'ioredis';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { applyKafkajsIdleFix } from '../kafka/kafkajs-idle-fix';
import mongoose from 'mongoose';
import { testEnv } from './test-env';

/** Isolation for one test file on the shared local stack. */
export interface TestContext {
  name: string;
  /** MongoDB database of this test file (MONGO_DB). */
  dbName: string;
  /** Prefix of every topic (KAFKA_TOPIC_PREFIX). */
  topicPrefix: string;
  /** Prefix of every consumer group: the platform applies KAFKA_TOPIC_PREFIX to groups too. */
  groupPrefix: string;
  /** Prefix of every Redis key (REDIS_KEY_PREFIX). */
  redisPrefix: string;
  /** Variables a service process (or `loadConfig`) needs to use this context. */
  env: Record<string, string>;
}

const DEFAULT_PARTITIONS = 3;

function slug(name: string, max: number): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return (cleaned || 'test').slice(0, max).replace(/-+$/g, '');
}

/**
 * A fresh, unique context: database `t_<name>_<id>`, topic/group prefix `t-<name>-<id>.`, Redis prefix
 * `t:<name>-<id>:`. Many test files can run at once against one stack without seeing each other's data.
 */
export function createTestContext(name: string): TestContext {
  const id = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const base = `${slug(name, 32)}-${id}`;
  const dbName = `t_${base.replace(/-/g, '_')}`.slice(0, 60);
  const topicPrefix = `t-${base}.`;
  const redisPrefix = `t:${base}:`;
  const env = testEnv();
  return {
    name,
    dbName,
    topicPrefix,
    groupPrefix: topicPrefix,
    redisPrefix,
    env: {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      COOKIE_SECURE: 'false',
      MONGO_URL: env.MONGO_URL,
      MONGO_DB: dbName,
      REDIS_URL: env.REDIS_URL,
      REDIS_KEY_PREFIX: redisPrefix,
      KAFKA_BROKERS: env.KAFKA_BROKERS.join(','),
      KAFKA_TOPIC_PREFIX: topicPrefix,
      // The test runner's shorter empty-fetch wait (vitest.config.ts) for the services a test starts: each
      // stop waits for the fetch in flight. Benchmarks leave it unset and measure the 5 s default.
      ...(process.env.KAFKA_FETCH_WAIT_MS ? { KAFKA_FETCH_WAIT_MS: process.env.KAFKA_FETCH_WAIT_MS } : {}),
    },
  };
}

function kafkaFor(ctx: TestContext): Kafka {
  applyKafkajsIdleFix();
  return new Kafka({
    clientId: `test-${ctx.dbName}`.slice(0, 60),
    brokers: ctx.env.KAFKA_BROKERS.split(','),
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3 },
    logLevel: logLevel.NOTHING,
  });
}

function partitionsOf(topic: string): number {
  return (
    (TOPIC_CONFIG as Record<string, { partitions: number } | undefined>)[topic]?.partitions ??
    DEFAULT_PARTITIONS
  );
}

/**
 * Creates `ctx.topicPrefix + topic` and its `.dlq` twin for every topic given (default: the whole
 * catalogue from @ticketing/contracts) and waits for their leaders. Existing topics are left alone.
 * Returns the full (prefixed) names.
 */
export async function ensureTopics(
  ctx: TestContext,
  topics: readonly string[] = ALL_TOPICS,
): Promise<string[]> {
  const wanted = topics.flatMap((topic) => [topic, dlqTopic(topic)]);
  const admin = kafkaFor(ctx).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(ctx.topicPrefix + topic));
    if (missing.length > 0) {
      // kafkajs's own waitForLeaders gives up when the broker's metadata does not list a topic yet
      // (UNKNOWN_TOPIC_OR_PARTITION), which a busy broker answers for a moment after the create: wait here.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((topic) => ({
          topic: ctx.topicPrefix + topic,
          numPartitions: partitionsOf(topic.replace(/\.dlq$/, '')),
          replicationFactor: 1,
        })),
      });
      await waitForLeaders(
        admin,
        missing.map((topic) => ctx.topicPrefix + topic),
      );
    }
    return wanted.map((topic) => ctx.topicPrefix + topic);
  } finally {
    await admin.disconnect();
  }
}

const LEADER_WAIT_MS = 30_000;

/** Resolves once every partition of `topics` has a leader; rejects with the last answer after 30 s. */
async function waitForLeaders(admin: Admin, topics: string[]): Promise<void> {
  const deadline = Date.now() + LEADER_WAIT_MS;
  for (;;) {
    let last: unknown;
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      const led = found.filter(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      ).length;
      if (led === topics.length) return;
      last = new Error(`${topics.length - led} of ${topics.length} topics have no leader yet`);
    } catch (err) {
      last = err; // not listed yet: asked again below
    }
    if (Date.now() > deadline) throw last;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Which parts of the stack `dropTestContext` cleans (all by default). */
export interface DropOptions {
  mongo?: boolean;
  kafka?: boolean;
  redis?: boolean;
}

/**
 * Removes everything the context created: its database, its topics, its consumer groups and its Redis
 * keys. A test that never touched a server may leave it out (`{ kafka: false }`); any cleanup that
 * fails makes the call reject.
 */
export async function dropTestContext(ctx: TestContext, options: DropOptions = {}): Promise<void> {
  const errors: unknown[] = [];
  if (options.mongo ?? true) await dropDatabase(ctx, errors);
  if (options.kafka ?? true) await dropKafka(ctx, errors);
  if (options.redis ?? true) await dropRedisKeys(ctx, errors);
  if (errors.length > 0) {
    throw new AggregateError(errors, `dropTestContext(${ctx.name}) could not clean everything up`);
  }
}

async function dropDatabase(ctx: TestContext, errors: unknown[]): Promise<void> {
  const connection = mongoose.createConnection(ctx.env.MONGO_URL, {
    dbName: ctx.dbName,
    serverSelectionTimeoutMS: 3000,
  });
  try {
    await connection.asPromise();
    await connection.dropDatabase();
  } catch (error) {
    errors.push(error);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

async function dropKafka(ctx: TestContext, errors: unknown[]): Promise<void> {
  const admin = kafkaFor(ctx).admin();
  try {
    await admin.connect();
    const { groups } = await admin.listGroups();
    const ownGroups = groups.map((g) => g.groupId).filter((id) => id.startsWith(ctx.groupPrefix));
    if (ownGroups.length > 0) await admin.deleteGroups(ownGroups).catch(() => undefined);
    const ownTopics = (await admin.listTopics()).filter((topic) => topic.startsWith(ctx.topicPrefix));
    if (ownTopics.length > 0) await admin.deleteTopics({ topics: ownTopics, timeout: 10_000 });
  } catch (error) {
    errors.push(error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

async function dropRedisKeys(ctx: TestContext, errors: unknown[]): Promise<void> {
  const redis = new Redis(ctx.env.REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${ctx.redisPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch (error) {
    errors.push(error);
  } finally {
    redis.disconnect();
  }
}
