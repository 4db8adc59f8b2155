import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMongoPoolCheckInterval, POOL_CHECK_INTERVAL_MS } from '../src/mongo/pool-check-interval';
import { createTestContext, dropTestContext, type TestContext } from '../src/testing';

interface PoolLike {
  options: { minPoolSizeCheckFrequencyMS: number };
}
interface TopologyLike {
  s: { servers: Map<string, { pool: PoolLike }> };
}

/** The check period of every pool of a connection's client. */
function poolPeriods(connection: Connection): number[] {
  const topology = (connection.getClient() as unknown as { topology?: TopologyLike }).topology;
  return [...(topology?.s.servers.values() ?? [])].map(
    (server) => server.pool.options.minPoolSizeCheckFrequencyMS,
  );
}

describe('MongoDB connection pools at rest', () => {
  let ctx: TestContext;
  let before: Connection;
  let after: Connection;

  beforeAll(async () => {
    ctx = createTestContext('mongo-pool-check');
    // A client connected before the change keeps the driver's 100 ms (this file's process has not applied
    // it yet: the platform applies it when PlatformModule opens its connection).
    before = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName }).asPromise();
    applyMongoPoolCheckInterval();
    applyMongoPoolCheckInterval(50); // idempotent: the first call's period stays
    after = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName }).asPromise();
  });

  afterAll(async () => {
    await Promise.all([before, after].filter(Boolean).map((c) => c.close()));
    if (ctx) await dropTestContext(ctx);
  });

  it('checks each pool once a second instead of every 100 ms, and the connection works', async () => {
    expect(poolPeriods(before)).toEqual([100]);
    expect(poolPeriods(after)).toEqual([POOL_CHECK_INTERVAL_MS]);
    await after.collection('probe').insertOne({ _id: 'a' as never, n: 1 });
    expect(await after.collection('probe').findOne({ _id: 'a' as never })).toMatchObject({ n: 1 });
  });

  it('a pool still replaces a connection the server closed', async () => {
    const coll = after.collection('probe');
    await coll.findOne({});
    // Close every pooled socket behind the driver's back; the next operations retry on fresh connections.
    const topology = (after.getClient() as unknown as { topology: TopologyLike }).topology;
    for (const server of topology.s.servers.values()) {
      const connections = (server.pool as unknown as { connections: Iterable<{ destroy(): void }> })
        .connections;
      for (const connection of connections) connection.destroy();
    }
    expect(await coll.countDocuments({})).toBe(1);
  });
});
