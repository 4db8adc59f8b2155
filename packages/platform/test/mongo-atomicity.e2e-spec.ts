import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, dropTestContext, type TestContext } from '../src/testing';

// The platform's invariants rest on single-document writes being atomic (ARCHITECTURE §7), as MongoDB
// makes them. The local server is FerretDB with dev/ferretdb/atomic_writes.go, which locks per document
// (or per collection for filters that do not name one `_id`); stock FerretDB 1.24 loses updates in every
// case below. Many connections race on purpose.
const CLIENTS = 16;

describe('single-document atomicity of the MongoDB-compatible server', () => {
  let ctx: TestContext;
  let connections: Connection[];

  beforeAll(async () => {
    ctx = createTestContext('mongo-atomicity');
    connections = await Promise.all(
      Array.from({ length: CLIENTS }, () =>
        mongoose.createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName, maxPoolSize: 2 }).asPromise(),
      ),
    );
  });

  afterAll(async () => {
    await Promise.all((connections ?? []).map((c) => c.close()));
    if (ctx) await dropTestContext(ctx);
  });

  const coll = (i: number, name: string) =>
    connections[i % CLIENTS]!.collection<Record<string, unknown>>(name);

  /** `attempts` guarded decrements from every client at once; returns how many the server accepted. */
  async function race(name: string, attempts: number, filter: (k: number) => Record<string, unknown>) {
    const results = await Promise.all(
      Array.from({ length: attempts }, (_, k) =>
        coll(k, name).updateOne({ ...filter(k), n: { $gte: 1 } }, { $inc: { n: -1, taken: 1 } } as never),
      ),
    );
    return results.filter((r) => r.modifiedCount === 1).length;
  }

  it('a guarded $inc on one document by _id admits exactly the stock', async () => {
    await coll(0, 'by_id').insertOne({ _id: 'hot' as never, n: 40, taken: 0 });
    const accepted = await race('by_id', 160, () => ({ _id: 'hot' }));
    expect(accepted).toBe(40);
    expect(await coll(0, 'by_id').findOne({ _id: 'hot' as never })).toMatchObject({ n: 0, taken: 40 });
  });

  it('the same through a filter on another field, and mixed with writes by _id', async () => {
    await coll(0, 'by_field').insertOne({ _id: 'doc' as never, key: 'k', n: 40, taken: 0 });
    const accepted = await race('by_field', 160, (k) => (k % 2 === 0 ? { key: 'k' } : { _id: 'doc' }));
    expect(accepted).toBe(40);
    expect(await coll(0, 'by_field').findOne({ _id: 'doc' as never })).toMatchObject({ n: 0, taken: 40 });
  });

  it('findOneAndUpdate claims each free document once', async () => {
    await coll(0, 'claims').insertMany(
      Array.from({ length: 20 }, (_, i) => ({ _id: `slot-${i}` as never, state: 'free', by: null })),
    );
    const claims = await Promise.all(
      Array.from({ length: 80 }, (_, k) =>
        coll(k, 'claims').findOneAndUpdate(
          { state: 'free' },
          { $set: { state: 'taken', by: k } },
          { returnDocument: 'after' },
        ),
      ),
    );
    const won = claims.filter((c) => c !== null);
    expect(won).toHaveLength(20);
    expect(new Set(won.map((c) => String(c!._id))).size).toBe(20);
    const stored = await coll(0, 'claims').find({}).toArray();
    // Each stored claimant is the one that was told it won that slot.
    for (const doc of stored) expect(won.find((c) => c!._id === doc._id)?.by).toBe(doc.by);
  });

  it('writes to different documents do not wait for each other to stay correct', async () => {
    await coll(0, 'many').insertMany(
      Array.from({ length: CLIENTS }, (_, i) => ({ _id: `d${i}` as never, n: 10, taken: 0 })),
    );
    const accepted = await race('many', CLIENTS * 20, (k) => ({ _id: `d${k % CLIENTS}` }));
    expect(accepted).toBe(CLIENTS * 10);
    const docs = await coll(0, 'many').find({}).toArray();
    expect(docs.every((d) => d.n === 0 && d.taken === 10)).toBe(true);
  });
});
