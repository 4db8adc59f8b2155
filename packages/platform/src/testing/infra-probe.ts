import { Kafka, logLevel } from 'kafkajs';
import { applyKafkajsIdleFix } from '../kafka/kafkajs-idle-fix';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { testEnv, type TestEnv } from './test-env';

export interface ProbeResult {
  name: 'Kafka' | 'MongoDB' | 'Redis';
  address: string;
  ok: boolean;
  error?: string;
}

const PROBE_TIMEOUT_MS = 4000;

function timeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms}ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const describeError = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Kafka answers the protocol: connects and returns cluster metadata. */
export async function probeKafka(brokers: string[]): Promise<ProbeResult> {
  applyKafkajsIdleFix();
  const kafka = new Kafka({
    clientId: 'test-probe',
    brokers,
    connectionTimeout: 2000,
    requestTimeout: 3000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  try {
    await timeout(
      admin.connect().then(() => admin.describeCluster()),
      PROBE_TIMEOUT_MS,
      'Kafka',
    );
    return { name: 'Kafka', address: brokers.join(','), ok: true };
  } catch (error) {
    return { name: 'Kafka', address: brokers.join(','), ok: false, error: describeError(error) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** MongoDB (or the compatible server) answers `ping`. */
export async function probeMongo(url: string): Promise<ProbeResult> {
  const connection = mongoose.createConnection(url, { serverSelectionTimeoutMS: 3000 });
  try {
    await timeout(
      connection.asPromise().then((c) => c.db!.admin().ping()),
      PROBE_TIMEOUT_MS,
      'MongoDB',
    );
    return { name: 'MongoDB', address: url, ok: true };
  } catch (error) {
    return { name: 'MongoDB', address: url, ok: false, error: describeError(error) };
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Redis answers PING with PONG. */
export async function probeRedis(url: string): Promise<ProbeResult> {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await timeout(
      client.connect().then(() => client.ping()),
      PROBE_TIMEOUT_MS,
      'Redis',
    );
    return { name: 'Redis', address: url, ok: true };
  } catch (error) {
    return { name: 'Redis', address: url, ok: false, error: describeError(error) };
  } finally {
    client.disconnect();
  }
}

/** Probes the three servers of the local stack in parallel. */
export async function probeInfra(env: TestEnv = testEnv()): Promise<ProbeResult[]> {
  return Promise.all([probeKafka(env.KAFKA_BROKERS), probeMongo(env.MONGO_URL), probeRedis(env.REDIS_URL)]);
}
