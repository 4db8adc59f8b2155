import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MongoProcessedMessageStore,
  PROCESSED_MESSAGES_COLLECTION,
} from '../src/kafka/processed-messages.store';
import { hourOf } from '../src/scheduling';
import { createTestContext, dropTestContext, explainIndexUse, type TestContext } from '../src/testing';

// The consumers' memory of handled envelopes, on the real MongoDB-compatible server.
describe('processed messages store', () => {
  let ctx: TestContext;
  let connection: Connection;

  beforeAll(async () => {
    ctx = createTestContext('processed-messages');
    connection = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName }).asPromise();
  });

  afterAll(async () => {
    await connection?.close();
    if (ctx) await dropTestContext(ctx);
  });

  it('remembers an envelope once, and prunes whole hours by an indexed equality', async () => {
    const store = new MongoProcessedMessageStore(connection, 48);
    await store.mark('g', 'e-new');
    await store.mark('g', 'e-new'); // a concurrent duplicate is not an error
    expect(await store.has('g', 'e-new')).toBe(true);
    expect(await store.has('g', 'e-other')).toBe(false);

    const coll = connection.collection(PROCESSED_MESSAGES_COLLECTION);
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * 3600_000);
    const entry = (id: string, hoursAgo: number) => ({
      _id: `g:${id}` as never,
      group: 'g',
      eventId: id,
      processedAt: at(hoursAgo),
      hour: hourOf(at(hoursAgo)),
    });
    // Plenty of recent ones, so a planner has a reason to use the index.
    await coll.insertMany(Array.from({ length: 2000 }, (_, i) => entry(`recent-${i}`, 0.5)));
    await coll.insertMany([entry('old', 30), entry('older', 47), entry('edge', 3.5), entry('ancient', 200)]);

    // Everything of the whole hours before "two hours ago", back 48 hours, goes.
    const deleted = await store.prune(at(2));
    const left = new Set(
      (await coll.find({}, { projection: { _id: 1 } }).toArray()).map((d) => String(d._id)),
    );
    expect(deleted).toBe(3);
    expect(left.has('g:old') || left.has('g:older') || left.has('g:edge')).toBe(false);
    // Beyond the look-back it is left alone (the job only walks back so far); recent ones stay.
    expect(left.has('g:ancient')).toBe(true);
    expect(left.has('g:e-new')).toBe(true);
    expect(left.size).toBe(2002);

    // What prune asks is answered through the index, not by reading every entry.
    expect(
      (await explainIndexUse(connection, PROCESSED_MESSAGES_COLLECTION, { hour: hourOf(at(30)) })).indexed,
    ).toBe(true);
  });
});
