// The Kafka topic catalogue. One topic per producing domain stream; every message on every topic is keyed
// by the id of the event (the happening people buy tickets for) it concerns, so one event's history stays
// in order on one partition. The `auth.users` stream is the exception: it is keyed by the user id.
//
// This file deliberately has no imports: scripts read the built `dist/topics.js` directly to create the
// topics (and their dead-letter twins) before any service starts.

export const TOPICS = {
  users: 'auth.users',
  events: 'event.lifecycle',
  eventViews: 'event.views',
  reservations: 'ticket.reservations',
  orders: 'ticket.orders',
  tickets: 'ticket.tickets',
  prices: 'pricing.prices',
  checkins: 'checkin.checkins',
} as const;

export type TopicKey = keyof typeof TOPICS;
export type Topic = (typeof TOPICS)[TopicKey];

/** Every main topic (dead-letter twins excluded). */
export const ALL_TOPICS: Topic[] = Object.values(TOPICS);

export const DLQ_SUFFIX = '.dlq';

/** The dead-letter twin of a topic: where messages a consumer could not handle are parked. */
export function dlqTopic(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

export function isDlqTopic(topic: string): boolean {
  return topic.endsWith(DLQ_SUFFIX);
}

export interface TopicConfig {
  /** Partition count. Ordering holds per key (event id), so more partitions only add parallelism. */
  partitions: number;
}

/** Default partition count for every catalogue topic and its dead-letter twin. */
export const DEFAULT_PARTITIONS = 3;

export const TOPIC_CONFIG: Record<Topic, TopicConfig> = {
  'auth.users': { partitions: DEFAULT_PARTITIONS },
  'event.lifecycle': { partitions: DEFAULT_PARTITIONS },
  'event.views': { partitions: DEFAULT_PARTITIONS },
  'ticket.reservations': { partitions: DEFAULT_PARTITIONS },
  'ticket.orders': { partitions: DEFAULT_PARTITIONS },
  'ticket.tickets': { partitions: DEFAULT_PARTITIONS },
  'pricing.prices': { partitions: DEFAULT_PARTITIONS },
  'checkin.checkins': { partitions: DEFAULT_PARTITIONS },
};

export interface TopicSpec {
  name: string;
  partitions: number;
}

/**
 * Every topic to create, main topics followed by their dead-letter twins, with partition counts.
 * `prefix` is prepended to each name (tests isolate themselves with a per-file prefix).
 * A shell script can print them with:
 *   node -e "for (const t of require('./packages/contracts/dist/topics.js').topicSpecs()) console.log(t.name, t.partitions)"
 */
export function topicSpecs(prefix = ''): TopicSpec[] {
  const main = ALL_TOPICS.map((name) => ({
    name: `${prefix}${name}`,
    partitions: TOPIC_CONFIG[name].partitions,
  }));
  const dlq = ALL_TOPICS.map((name) => ({
    name: `${prefix}${dlqTopic(name)}`,
    partitions: TOPIC_CONFIG[name].partitions,
  }));
  return [...main, ...dlq];
}
