import { newEnvelope, TOPICS, type EventEnvelope } from '@ticketing/contracts';
import { hourOf, loadConfig, toKafkaMessage } from '@ticketing/platform';
import {
  createTestContext,
  dropTestContext,
  ensureTopics,
  type TestContext,
} from '@ticketing/platform/testing';
import { Kafka, logLevel } from 'kafkajs';
import mongoose, { type Connection, type Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  TICKET_PRICE,
  TicketPriceSchema,
  type TicketPriceDoc,
} from '../src/catalog/schemas/ticket-price.schema';
import { pricingConfigSchema, type PricingConfig } from '../src/config';
import { SIGNAL_TOPICS } from '../src/messaging/pricing.consumer';
import { rebuildWindows } from '../src/rebuild/rebuild-windows';
import {
  DEMAND_BUCKET,
  DemandBucketSchema,
  type DemandBucketDoc,
} from '../src/signals/schemas/demand-bucket.schema';
import {
  SIGNAL_RECEIPT,
  SignalReceiptSchema,
  type SignalReceiptDoc,
} from '../src/signals/schemas/signal-receipt.schema';
import { SignalBatchConsumer } from '../src/signals/signal-batch-consumer';
import { SignalsService, type SignalRecord } from '../src/signals/signals.service';
import { orderConfirmed, pricedEvent, reservationCreated, type PricedEvent } from './support/fixtures';

// The demand fold against the real MongoDB-compatible server and Kafka, without the GraphQL app: the
// SignalsService on a connection of its own, fed records with explicit positions (as the batch consumer
// hands them) or through Kafka itself, and the rebuild tool over the context's topics.

let ctx: TestContext;
let config: PricingConfig;
let connection: Connection;
let buckets: Model<DemandBucketDoc>;
let receipts: Model<SignalReceiptDoc>;
let prices: Model<TicketPriceDoc>;
let signals: SignalsService;

/** Every command mongoose sends while `fn` runs, by method (`updateOne`, `insertMany`, `findOne`...). */
async function commandsDuring(fn: () => Promise<unknown>): Promise<Record<string, number>> {
  const seen: Record<string, number> = {};
  connection.set('debug', (_collection: string, method: string) => {
    seen[method] = (seen[method] ?? 0) + 1;
  });
  try {
    await fn();
  } finally {
    connection.set('debug', false);
  }
  return seen;
}
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

let topicSeq = 0;
/** Records at consecutive offsets of one partition of a topic of their own. */
function positioned(
  envelopes: EventEnvelope[],
  topic = `t${++topicSeq}.ticket.orders`,
  from = 0,
): SignalRecord[] {
  return envelopes.map((envelope, i) => ({ envelope, position: { topic, partition: 0, offset: from + i } }));
}

const bucketsOf = async (subject: string) =>
  buckets.find({ subject }).sort({ _id: 1 }).lean<DemandBucketDoc[]>().exec();
const sumOf = (docs: DemandBucketDoc[], key: 'views' | 'held' | 'lapsed' | 'sold') =>
  docs.reduce((s, d) => s + (d[key] ?? 0), 0);
const totalsOf = async (id: string) => {
  const doc = await prices.findById(id).lean<TicketPriceDoc>().exec();
  return { soldTotal: doc?.soldTotal ?? 0, heldTotal: doc?.heldTotal ?? 0 };
};
/** A type on sale with `n` holds and `n` orders of one unit each. */
function demand(n: number): { fx: PricedEvent; envelopes: EventEnvelope[] } {
  const fx = pricedEvent();
  const envelopes: EventEnvelope[] = [];
  for (let i = 0; i < n; i += 1) envelopes.push(reservationCreated(fx, 1), orderConfirmed(fx, 1));
  return { fx, envelopes };
}

beforeAll(async () => {
  ctx = createTestContext('pricing-signals');
  // One-minute buckets: every signal of a test lands in the same one or two buckets.
  config = loadConfig(pricingConfigSchema, { ...ctx.env, BUCKET_MS: '60000', DEMAND_WINDOW_MS: '900000' });
  connection = await mongoose.createConnection(ctx.env.MONGO_URL, { dbName: ctx.dbName }).asPromise();
  buckets = connection.model<DemandBucketDoc>(DEMAND_BUCKET, DemandBucketSchema);
  receipts = connection.model<SignalReceiptDoc>(SIGNAL_RECEIPT, SignalReceiptSchema);
  prices = connection.model<TicketPriceDoc>(TICKET_PRICE, TicketPriceSchema);
  await Promise.all([buckets.init(), receipts.init(), prices.init()]);
  signals = new SignalsService(buckets, receipts, prices, config);
}, 60_000);

afterAll(async () => {
  await connection?.close();
  if (ctx) await dropTestContext(ctx, { redis: false });
});

describe('fold', () => {
  it('folds a batch into one $inc per window bucket and per type, far fewer writes than one signal at a time', async () => {
    const batched = demand(100);
    const byBatch = await commandsDuring(() => signals.fold(positioned(batched.envelopes)));
    // One insertMany of receipts, then one update per bucket document and one per type's totals (two buckets
    // only when the batch straddles a minute).
    expect(byBatch.insertMany).toBe(1);
    expect(byBatch.updateOne).toBeGreaterThanOrEqual(2);
    expect(byBatch.updateOne).toBeLessThanOrEqual(3);
    expect(total(byBatch)).toBeLessThanOrEqual(4);

    const single = demand(100);
    const records = positioned(single.envelopes);
    const oneByOne = await commandsDuring(async () => {
      for (const record of records) await signals.fold([record]);
    });
    // The same signals one record at a time: a receipt and two updates each.
    expect(total(oneByOne)).toBe(3 * 200);

    for (const { fx } of [batched, single]) {
      const docs = await bucketsOf(fx.typeId);
      expect(sumOf(docs, 'held')).toBe(100);
      expect(sumOf(docs, 'sold')).toBe(100);
      expect(await totalsOf(fx.typeId)).toEqual({ soldTotal: 100, heldTotal: 0 });
    }
  });

  it('a redelivered batch counts nothing again, a batch that overlaps an earlier one counts only its new part', async () => {
    const { fx, envelopes } = demand(10); // 20 records
    const records = positioned(envelopes);
    await signals.fold(records.slice(0, 12));
    await signals.fold(records.slice(0, 12)); // the same records again (a crash before the commit)
    await signals.fold(records.slice(6, 20)); // a redelivery that reaches further
    const docs = await bucketsOf(fx.typeId);
    expect(sumOf(docs, 'held')).toBe(10);
    expect(sumOf(docs, 'sold')).toBe(10);
    expect(await totalsOf(fx.typeId)).toEqual({ soldTotal: 10, heldTotal: 0 });
  });

  it('an envelope published twice (another offset, another batch or the same one) is counted once', async () => {
    const fx = pricedEvent();
    const order = orderConfirmed(fx, 3);
    const hold = reservationCreated(fx, 2);
    const topic = `t${++topicSeq}.ticket.orders`;
    const first = await signals.fold(positioned([order, hold], topic, 0));
    expect(first.duplicates).toBe(0);
    // The relay published both again later; the second hold even twice within one batch.
    const again = await signals.fold(positioned([hold, order, hold], topic, 2));
    expect(again.duplicates).toBe(3);
    const inOneBatch = pricedEvent();
    const twice = orderConfirmed(inOneBatch, 4);
    expect((await signals.fold(positioned([twice, twice]))).duplicates).toBe(1);

    expect(sumOf(await bucketsOf(fx.typeId), 'sold')).toBe(3);
    expect(sumOf(await bucketsOf(fx.typeId), 'held')).toBe(2);
    expect(await totalsOf(fx.typeId)).toEqual({ soldTotal: 3, heldTotal: -1 });
    expect(sumOf(await bucketsOf(inOneBatch.typeId), 'sold')).toBe(4);
  });

  it('a crash between the bucket and the totals heals on redelivery, without counting the bucket twice', async () => {
    const { fx, envelopes } = demand(5);
    const records = positioned(envelopes);
    await signals.fold(records);
    // As if the process died after the bucket's update and before the totals': the totals never moved.
    await prices
      .updateOne({ _id: fx.typeId }, { $set: { soldTotal: 0, heldTotal: 0 }, $unset: { hw: 1 } })
      .exec();
    await signals.fold(records);
    expect(await totalsOf(fx.typeId)).toEqual({ soldTotal: 5, heldTotal: 0 });
    expect(sumOf(await bucketsOf(fx.typeId), 'sold')).toBe(5);
  });

  it('window documents stay the same size however many signals they count (no list of ids)', async () => {
    const { fx, envelopes } = demand(400);
    const topic = `t${++topicSeq}.ticket.orders`;
    for (let from = 0; from < envelopes.length; from += 100) {
      await signals.fold(positioned(envelopes.slice(from, from + 100), topic, from));
    }
    const docs = await buckets.collection.find({ subject: fx.typeId }).toArray();
    for (const doc of docs) {
      expect(doc).not.toHaveProperty('ids');
      expect(Object.keys(doc.hw as object)).toHaveLength(1); // one mark per partition that fed it
      expect(JSON.stringify(doc).length).toBeLessThan(400);
    }
    expect(docs.reduce((s, d) => s + (d.sold as number), 0)).toBe(400);
  });

  it('receipts go by whole hours after their retention, and a redelivery after that still counts nothing', async () => {
    const { fx, envelopes } = demand(3);
    const records = positioned(envelopes);
    await signals.fold(records);
    const ids = envelopes.map((e) => e.id);
    // Written 50 hours ago, as far as the clean-up is concerned.
    await receipts.updateMany({ _id: { $in: ids } }, { $set: { hour: hourOf(new Date()) - 50 } }).exec();
    const deleted = await signals.pruneReceipts(new Date(Date.now() - 48 * 3600_000));
    expect(deleted).toBeGreaterThanOrEqual(ids.length);
    expect(await receipts.countDocuments({ _id: { $in: ids } }).exec()).toBe(0);
    await signals.fold(records); // the same records, long after: the offset marks hold
    expect(sumOf(await bucketsOf(fx.typeId), 'sold')).toBe(3);
    expect(await totalsOf(fx.typeId)).toEqual({ soldTotal: 3, heldTotal: 0 });
  });
});

describe('through Kafka, and the rebuild tool', () => {
  it('a new signal group starts where the old record-by-record group stopped, not at the beginning', async () => {
    const own = createTestContext('pricing-signals-inherit');
    try {
      await ensureTopics(own, [TOPICS.orders]);
      const kafka = new Kafka({
        clientId: 'inherit-test',
        brokers: config.KAFKA_BROKERS,
        logLevel: logLevel.NOTHING,
      });
      const fx = pricedEvent();
      const orders = Array.from({ length: 6 }, () => orderConfirmed(fx, 1));
      const producer = kafka.producer();
      await producer.connect();
      // One partition (the event id is the key): offsets 0..5.
      await producer.send({ topic: own.topicPrefix + TOPICS.orders, messages: orders.map(toKafkaMessage) });
      await producer.disconnect();
      // The old group had handled the first four.
      const admin = kafka.admin();
      await admin.connect();
      const partitions = (await admin.fetchTopicOffsets(own.topicPrefix + TOPICS.orders)).filter(
        (p) => Number(p.high) > 0,
      );
      expect(partitions).toHaveLength(1);
      await admin.setOffsets({
        groupId: `${own.topicPrefix}pricing`,
        topic: own.topicPrefix + TOPICS.orders,
        partitions: [{ partition: partitions[0].partition, offset: '4' }],
      });
      await admin.disconnect();
      const folded: number[] = [];
      const consumer = new SignalBatchConsumer({
        brokers: config.KAFKA_BROKERS,
        clientId: 'inherit-test',
        topicPrefix: own.topicPrefix,
        groupId: 'pricing-signals',
        topics: [TOPICS.orders],
        inheritOffsetsFrom: 'pricing',
        logger: { info: () => undefined, warn: () => undefined, error: () => undefined } as never,
        onBatch: async (records) => {
          folded.push(...records.map((r) => r.position.offset));
        },
      });
      await consumer.start();
      for (let i = 0; folded.length < 2; i += 1) {
        if (i > 200) throw new Error(`folded ${folded.join(',')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500));
      await consumer.stop();
      expect(folded).toEqual([4, 5]);
    } finally {
      await dropTestContext(own, { mongo: false, redis: false });
    }
  }, 60_000);

  it('the batch consumer folds what the topics carry; deleted windows are rebuilt from the topics to the same counters', async () => {
    await ensureTopics(ctx, [...SIGNAL_TOPICS]);
    const kafka = new Kafka({
      clientId: 'signals-test',
      brokers: config.KAFKA_BROKERS,
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const fxA = pricedEvent();
    const fxB = pricedEvent();
    const sent: Array<{ topic: string; envelope: EventEnvelope }> = [];
    for (let i = 0; i < 30; i += 1) {
      const fx = i % 3 === 0 ? fxB : fxA;
      sent.push({ topic: TOPICS.reservations, envelope: reservationCreated(fx, 1 + (i % 2)) });
      sent.push({ topic: TOPICS.orders, envelope: orderConfirmed(fx, 1) });
    }
    const now = Date.now();
    sent.push({
      topic: TOPICS.eventViews,
      envelope: newEnvelope(
        'event.viewed',
        fxA.eventId,
        {
          eventId: fxA.eventId,
          count: 250,
          windowStart: new Date(now - 10_000).toISOString(),
          windowEnd: new Date(now).toISOString(),
        },
        { source: 'event' },
      ),
    });
    // One order published a second time by a relay that crashed before clearing its outbox.
    sent.push({ topic: TOPICS.orders, envelope: sent[1].envelope });
    for (const { topic, envelope } of sent) {
      await producer.send({ topic: ctx.topicPrefix + topic, messages: [toKafkaMessage(envelope)] });
    }
    await producer.disconnect();

    // The live path: the service's batch consumer and fold, until everything sent was seen.
    let seen = 0;
    const live = new SignalBatchConsumer({
      brokers: config.KAFKA_BROKERS,
      clientId: 'signals-test-live',
      topicPrefix: ctx.topicPrefix,
      groupId: 'pricing-signals',
      topics: SIGNAL_TOPICS,
      logger: { warn: () => undefined, error: () => undefined } as never,
      onBatch: async (records) => {
        await signals.fold(records);
        seen += records.length;
      },
    });
    await live.start();
    for (let i = 0; seen < sent.length; i += 1) {
      if (i > 300) throw new Error(`the consumer saw ${seen} of ${sent.length} records`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await live.stop();

    const snapshot = async () => ({
      a: await bucketsOf(fxA.typeId),
      b: await bucketsOf(fxB.typeId),
      views: await bucketsOf(fxA.eventId),
      totals: [await totalsOf(fxA.typeId), await totalsOf(fxB.typeId)],
    });
    const counters = (s: Awaited<ReturnType<typeof snapshot>>) =>
      JSON.stringify({
        ...Object.fromEntries(
          (['a', 'b', 'views'] as const).map((k) => [
            k,
            s[k].map((d) => [d._id, d.views, d.held, d.lapsed, d.sold]),
          ]),
        ),
        totals: s.totals,
      });
    const before = await snapshot();
    // 20 orders of one unit for A (the duplicate not counted) and 10 for B; holds of 1 or 2 units.
    expect(sumOf(before.a, 'sold')).toBe(20);
    expect(sumOf(before.b, 'sold')).toBe(10);
    expect(sumOf(before.views, 'views')).toBe(250);
    expect(before.totals[0].soldTotal).toBe(20);

    // Lose the windows of this context, then rebuild them from the topics.
    await buckets.deleteMany({}).exec();
    expect(await bucketsOf(fxA.typeId)).toHaveLength(0);
    const report = await rebuildWindows({ config, connection, timeoutMs: 60_000 });
    expect(report.records).toBe(sent.length);
    expect(report.duplicates).toBe(1);
    expect(counters(await snapshot())).toBe(counters(before));

    // Idempotent: again over intact windows, and from scratch (windows emptied and totals zeroed first).
    await rebuildWindows({ config, connection, timeoutMs: 60_000 });
    expect(counters(await snapshot())).toBe(counters(before));
    await rebuildWindows({ config, connection, reset: true, timeoutMs: 60_000 });
    expect(counters(await snapshot())).toBe(counters(before));
  }, 120_000);
});
