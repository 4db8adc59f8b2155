import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sampleEnvelope, TOPICS, type EventEnvelope } from '@ticketing/contracts';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  sleep,
  terminate,
  waitForExit,
  type TestContext,
} from '../src/testing';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureLogging } from '../src';
import { KafkaService } from '../src/kafka';
import { waitFor } from './support/wait-for';

// A child process consuming slowly gets SIGTERM mid-stream: it must finish the message in hand, commit,
// leave the group and exit 0; a new member of the same group then resumes right after it.
const TOPIC = TOPICS.eventViews;
const GROUP = 'slow';
const TOTAL = 30;
const FIXTURE_DIR = join(__dirname, 'kafka-fixtures');

function readLog(path: string): Array<{ offset: number; id: string; line: string }> {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [offset, id] = line.split(' ');
      return { offset: Number(offset), id, line };
    });
}

describe('consumer shutdown on SIGTERM', () => {
  let ctx: TestContext;
  let tmp: string;
  let child: ChildProcess | undefined;
  let connection: Connection;
  let kafka: KafkaService;

  beforeAll(async () => {
    configureLogging({ service: 'kafka-shutdown-e2e', level: 'error' });
    ctx = createTestContext('kafka-shutdown');
    await ensureTopics(ctx, [TOPIC]);
    tmp = mkdtempSync(join(tmpdir(), 'kafka-shutdown-'));
    connection = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName }).asPromise();
    kafka = new KafkaService(
      {
        brokers: ctx.env.KAFKA_BROKERS.split(','),
        clientId: 'kafka-shutdown-e2e',
        topicPrefix: ctx.topicPrefix,
        serviceName: 'kafka-shutdown-e2e',
      },
      connection,
    );
  });

  afterAll(async () => {
    if (child) await terminate(child, 5_000);
    await kafka?.close();
    await connection?.close();
    if (ctx) await dropTestContext(ctx);
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('finishes the in-flight message, commits, exits 0, and the group resumes after it with nothing lost or repeated', async () => {
    // All on one key, so one partition in a known order.
    const envelopes: EventEnvelope[] = Array.from({ length: TOTAL }, () =>
      sampleEnvelope('event.viewed', { id: randomUUID(), source: 'kafka-e2e' }),
    );
    for (const envelope of envelopes) await kafka.publish(TOPIC, envelope);

    const log = join(tmp, 'handled.log');
    let stdout = '';
    let stderr = '';
    child = spawn(
      process.execPath,
      ['-r', join(FIXTURE_DIR, 'swc-register.cjs'), join(FIXTURE_DIR, 'slow-consumer.fixture.ts')],
      {
        env: {
          ...process.env,
          ...ctx.env,
          LOG_LEVEL: 'error',
          FIXTURE_TOPIC: TOPIC,
          FIXTURE_GROUP: GROUP,
          FIXTURE_DELAY_MS: '150',
          FIXTURE_LOG: log,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = waitForExit(child);

    await waitFor(
      'child ready',
      () => stdout.includes('READY') || (child!.exitCode !== null && Promise.reject(new Error(stderr))),
      30_000,
    );
    await waitFor('a few handled messages', () => readLog(log).length >= 5);
    const signalledAt = Date.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exited, sleep(15_000).then(() => 'timeout' as const)]);
    expect(code, stderr).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
    child = undefined;

    const first = readLog(log);
    expect(first.length).toBeGreaterThanOrEqual(5);
    expect(first.length).toBeLessThan(TOTAL); // stopped mid-stream
    expect(first.map((h) => h.id)).toEqual(envelopes.slice(0, first.length).map((e) => e.id));

    // The committed offset covers every message the child handled, and nothing beyond.
    const admin = new Kafka({
      clientId: 'kafka-shutdown-admin',
      brokers: ctx.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({
        groupId: ctx.groupPrefix + GROUP,
        topics: [ctx.topicPrefix + TOPIC],
      });
      const lastHandled = first[first.length - 1];
      const partitions = committed.partitions.filter((p) => Number(p.offset) >= 0);
      expect(partitions).toHaveLength(1);
      expect(Number(partitions[0].offset)).toBe(lastHandled.offset + 1);
    } finally {
      await admin.disconnect();
    }

    // A new member of the same group picks up exactly where the child stopped.
    const resumed: string[] = [];
    const handle = await kafka.consume({
      groupId: GROUP,
      topics: [TOPIC],
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      handler: (envelope) => void resumed.push(envelope.id),
    });
    try {
      await waitFor('the rest of the stream', () => resumed.length >= TOTAL - first.length);
      await sleep(300); // anything extra (a repeat) would arrive now
      expect(resumed).toEqual(envelopes.slice(first.length).map((e) => e.id));
    } finally {
      await handle.stop();
    }
  });
});
