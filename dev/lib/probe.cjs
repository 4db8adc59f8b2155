// Health probes for the local stack: `node dev/lib/probe.cjs kafka|mongo|redis`.
// Exit code 0 when the server answers (Kafka: a metadata request, Mongo: ping, Redis: PING), 1 otherwise.
'use strict';

const TIMEOUT_MS = 5000;
const env = process.env;

const probes = {
  async kafka() {
    const { Kafka, logLevel } = require('kafkajs');
    require('./kafkajs-fix.cjs');
    const kafka = new Kafka({
      clientId: 'ticketing-dev-probe',
      brokers: (env.KAFKA_BROKERS || '127.0.0.1:19092').split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 3000,
      retry: { retries: 0 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (!cluster.brokers.length) throw new Error('no broker in the metadata');
      return `cluster ${cluster.clusterId}, controller ${cluster.controller}`;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },

  async mongo() {
    const { MongoClient } = require('mongoose').mongo;
    const client = new MongoClient(env.MONGO_URL || 'mongodb://127.0.0.1:27018', {
      serverSelectionTimeoutMS: 2000,
      connectTimeoutMS: 2000,
    });
    try {
      await client.connect();
      const reply = await client.db('admin').command({ ping: 1 });
      if (reply.ok !== 1) throw new Error(`ping answered ${JSON.stringify(reply)}`);
      return 'ping ok';
    } finally {
      await client.close().catch(() => undefined);
    }
  },

  async redis() {
    const Redis = require('ioredis');
    const client = new Redis(env.REDIS_URL || 'redis://127.0.0.1:6390', {
      lazyConnect: true,
      connectTimeout: 1000,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const reply = await client.ping();
      if (reply !== 'PONG') throw new Error(`PING answered ${reply}`);
      return 'PONG';
    } finally {
      client.disconnect();
    }
  },
};

async function main() {
  const name = process.argv[2];
  const probe = probes[name];
  if (!probe) {
    console.error(`usage: probe.cjs ${Object.keys(probes).join('|')}`);
    process.exit(2);
  }
  const timer = setTimeout(() => {
    console.error(`${name}: no answer within ${TIMEOUT_MS} ms`);
    process.exit(1);
  }, TIMEOUT_MS);
  try {
    console.log(`${name}: ${await probe()}`);
    clearTimeout(timer);
    process.exit(0);
  } catch (err) {
    console.error(`${name}: ${err && err.message ? err.message : err}`);
    process.exit(1);
  }
}

main();
