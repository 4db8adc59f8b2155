import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, dropTestContext, type TestContext } from '../src/testing';

// The local server is FerretDB on a PostgreSQL pool of 50 connections. Stock FerretDB 1.24 kept a query's
// connection taken until its rows were read to the end: an update read its document and wrote it back on a
// second connection, and an open cursor kept its connection between batches. With more of those at once
// than the pool holds, every connection waited for another and the server hung until restarted
// (dev/ferretdb/buffered_query.go). Both cases are driven well past 50 here; every step has a deadline,
// so that a stuck server fails the test instead of stalling the run.
const SOCKETS = 128;
const DEADLINE_MS = 15_000;

async function within<T>(what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${DEADLINE_MS} ms, the server is stuck`)),
      DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([work, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

describe('the MongoDB-compatible server under more concurrent work than its connection pool', () => {
  let ctx: TestContext;
  let conn: Connection;

  beforeAll(async () => {
    ctx = createTestContext('mongo-stress');
    // one socket per operation in flight: the server runs one command at a time per socket
    conn = await mongoose
      .createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName, maxPoolSize: SOCKETS, maxConnecting: 16 })
      .asPromise();
  });

  afterAll(async () => {
    await conn?.close();
    if (ctx) await dropTestContext(ctx, { kafka: false, redis: false });
  });

  const coll = (name: string) => conn.collection(name);

  it('guarded writes to distinct documents, many more at once than the pool, all finish exactly once', async () => {
    const docs = coll('docs');
    const DOCS = 2 * SOCKETS;
    const ROUNDS = 6;
    await docs.insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: `d${i}` as never, n: 0, f: 0 })));

    const id = (w: number, r: number) => `d${(w + r * SOCKETS) % DOCS}` as never;
    const outcomes = await within(
      'concurrent guarded writes',
      Promise.all(
        Array.from({ length: SOCKETS }, async (_, w) => {
          let updated = 0;
          let found = 0;
          for (let r = 0; r < ROUNDS; r++) {
            const u = await docs.updateOne({ _id: id(w, r), n: { $gte: 0 } }, { $inc: { n: 1 } });
            updated += u.modifiedCount;
            const before = await docs.findOneAndUpdate({ _id: id(w, r) }, { $inc: { f: 1 } });
            if (before) found++;
          }
          return { updated, found };
        }),
      ),
    );

    const writes = SOCKETS * ROUNDS;
    expect(outcomes.reduce((s, o) => s + o.updated, 0)).toBe(writes);
    expect(outcomes.reduce((s, o) => s + o.found, 0)).toBe(writes);
    const stored = await docs.find({}).toArray();
    expect(stored.reduce((s, d) => s + (d.n as number), 0)).toBe(writes);
    expect(stored.reduce((s, d) => s + (d.f as number), 0)).toBe(writes);
  });

  it('cursors left open, more than the pool holds, do not stop other commands', async () => {
    const rows = coll('rows');
    const ROWS = 20;
    const CURSORS = 64;
    await rows.insertMany(Array.from({ length: ROWS }, (_, i) => ({ _id: i as never, v: 0 })));

    // An unsorted find whose first batch leaves the result unfinished: the cursor stays open on the server.
    const cursors = Array.from({ length: CURSORS }, () => rows.find({}, { batchSize: 2 }));
    try {
      const first = await within('opening cursors', Promise.all(cursors.map((c) => c.next())));
      const written = await within(
        'writes while cursors are open',
        Promise.all(
          Array.from({ length: CURSORS }, (_, i) =>
            rows.updateOne({ _id: (i % ROWS) as never }, { $inc: { v: 1 } }),
          ),
        ),
      );
      expect(written.every((r) => r.modifiedCount === 1)).toBe(true);

      // every cursor still delivers the rest of its result
      const rest = await within('reading the open cursors', Promise.all(cursors.map((c) => c.toArray())));
      rest.forEach((docs, i) => {
        const ids = [first[i], ...docs].map((d) => d?._id as unknown as number);
        expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: ROWS }, (_, k) => k));
      });
    } finally {
      await Promise.all(cursors.map((c) => c.close().catch(() => undefined)));
    }
    const stored = await rows.find({}).toArray();
    expect(stored.reduce((s, d) => s + (d.v as number), 0)).toBe(CURSORS);
  });
});
