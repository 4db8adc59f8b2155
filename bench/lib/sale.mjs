// Start-up shared by the sale benchmarks: an event published the way the event service publishes it (on
// Kafka), and a wait until the ticket service has the inventory of every ticket type.
import mongoose from 'mongoose';

export const oid = () => new mongoose.Types.ObjectId().toHexString();

/** Percentile of a sorted array (NaN when empty). */
export const pct = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;

/** GraphQL POST; returns the parsed body, `{ status, body }` is not needed by the callers. */
export async function gql(url, query, variables, token, timeoutMs = 10_000, headers = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return res.json();
}

/**
 * Publishes `event.published` for one event with general-admission `types` ([{ typeId, name, quantity }]) on
 * sale now, and waits until the ticket service (asked through `serviceUrl`) shows each type's full stock.
 */
export async function publishGaSale({ ctx, contracts, kafkajs, issuer, serviceUrl, types, perBuyerMax = 1 }) {
  const organizer = { id: oid(), email: 'org@bench.test', role: 'ORGANIZER', name: 'Bench Org' };
  const eventId = oid();
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const window = {
    salesStart: new Date(now - day).toISOString(),
    salesEnd: new Date(now + 30 * day).toISOString(),
  };
  const capacity = types.reduce((sum, t) => sum + t.quantity, 0);
  const envelope = contracts.newEnvelope(
    'event.published',
    eventId,
    {
      eventId,
      organizerId: organizer.id,
      title: 'Flash Sale',
      category: 'music',
      startsAt: new Date(now + 40 * day).toISOString(),
      endsAt: new Date(now + 40 * day + 3600_000).toISOString(),
      timezone: 'UTC',
      venue: { name: 'Bench Hall', city: 'Berlin', capacity },
      ...window,
      transferPolicy: { allowed: true, deadline: null },
      ticketTypes: types.map((t) => ({
        ticketTypeId: t.typeId,
        eventId,
        name: t.name,
        kind: 'GENERAL_ADMISSION',
        quantity: t.quantity,
        basePrice: { amount: 5000, currency: 'EUR' },
        perOrderMax: 1,
        perBuyerMax,
        ...window,
        pricingPolicy: { kind: 'FIXED' },
        aggregateVersion: 1,
      })),
      status: 'PUBLISHED',
      publishedAt: new Date(now).toISOString(),
      aggregateVersion: 1,
    },
    { source: 'event' },
  );
  const kafka = new kafkajs.Kafka({
    clientId: 'bench-sale',
    brokers: ctx.env.KAFKA_BROKERS.split(','),
    logLevel: kafkajs.logLevel.NOTHING,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: ctx.topicPrefix + contracts.TOPICS.events,
    messages: [{ key: eventId, value: JSON.stringify(envelope) }],
  });
  await producer.disconnect();
  const orgToken = await issuer.sign(organizer, { expiresIn: 3600 });
  for (let i = 0; ; i++) {
    const summary = await gql(
      serviceUrl,
      'query($e: ID!) { salesSummary(eventId: $e) { ticketTypes { ticketTypeId remaining } } }',
      { e: eventId },
      orgToken,
    ).catch(() => null);
    const remaining = new Map(
      (summary?.data?.salesSummary?.ticketTypes ?? []).map((t) => [t.ticketTypeId, t.remaining]),
    );
    if (types.every((t) => remaining.get(t.typeId) === t.quantity)) break;
    if (i > 300) throw new Error('inventory never appeared');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { eventId, organizer, orgToken };
}
