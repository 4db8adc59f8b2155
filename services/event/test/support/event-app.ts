import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { getModelToken } from '@nestjs/mongoose';
import { validateEnvelope, type EventEnvelope } from '@ticketing/contracts';
import { appUrl, createServiceApp, loadConfig } from '@ticketing/platform';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import type { Model } from 'mongoose';
import { createAppModule } from '../../src/app.module';
import { EVENT_SERVICE_NAME, eventConfigSchema, type EventConfig } from '../../src/config';
import type { EventDoc } from '../../src/events/domain/event.types';
import { EVENT_MODEL, type EventRecord } from '../../src/events/schemas/event.schema';

export type Role = 'ATTENDEE' | 'ORGANIZER' | 'STAFF' | 'ADMIN';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  name: string;
  token: string;
}

/** Response data as the tests read it: shapes are asserted with expect(), so it stays loosely typed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyData = any;

export interface GqlResult<T = AnyData> {
  status: number;
  data: T | null | undefined;
  errors: Array<{ message: string; extensions?: { code?: string; field?: string | null } }> | undefined;
}

export interface EventTestApp {
  ctx: TestContext;
  app: INestApplication;
  url: string;
  config: EventConfig;
  issuer: TestIssuer;
  events: Model<EventRecord>;
  gql<T = AnyData>(
    query: string,
    variables?: Record<string, unknown>,
    user?: TestUser,
  ): Promise<GqlResult<T>>;
  user(role: Role, email?: string): Promise<TestUser>;
  /** The stored event document (without the outbox), or null. */
  stored(id: string): Promise<EventDoc | null>;
  close(): Promise<void>;
}

/** Boots the event AppModule in-process on port 0, on a fresh test context, with a throwaway JWT issuer. */
export async function startEventApp(
  name: string,
  overrides: Record<string, string> = {},
): Promise<EventTestApp> {
  const ctx = createTestContext(name);
  await ensureTopics(ctx);
  const issuer = await createTestIssuer();
  const config = loadConfig(eventConfigSchema, {
    ...ctx.env,
    PORT: '0',
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
    ...overrides,
  });
  const app = await createServiceApp(createAppModule(config), config, {
    serviceName: EVENT_SERVICE_NAME,
    handleSignals: false,
  });
  await app.listen(0, '127.0.0.1');
  const url = `${appUrl(app as never)}/graphql`;
  const events = app.get<Model<EventRecord>>(getModelToken(EVENT_MODEL));

  return {
    ctx,
    app,
    url,
    config,
    issuer,
    events,
    gql: (query, variables = {}, user) => gql(url, query, variables, user?.token),
    async user(role, email) {
      const id = randomUUID();
      const profile = {
        id,
        email: email ?? `${role.toLowerCase()}-${id.slice(0, 8)}@example.com`,
        role,
        name: `${role} ${id.slice(0, 4)}`,
      };
      return { ...profile, token: await issuer.sign(profile) };
    },
    stored: (id) =>
      events.findById(id).select('-outbox -outboxPending -outboxLeaseUntil').lean<EventDoc>().exec(),
    async close() {
      await app.close();
      await issuer.close();
      await dropTestContext(ctx);
    },
  };
}

export async function gql<T = AnyData>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResult<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: GqlResult['errors'] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** Collects every message on the given prefixed topics and validates each against the contracts. */
export class TopicRecorder {
  readonly envelopes: EventEnvelope[] = [];
  readonly invalid: Array<{ topic: string; error: string }> = [];
  private consumer?: Consumer;

  constructor(
    private readonly ctx: TestContext,
    private readonly topics: string[],
  ) {}

  async start(): Promise<void> {
    const kafka = new Kafka({
      clientId: `rec-${randomUUID().slice(0, 8)}`,
      brokers: this.ctx.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    });
    this.consumer = kafka.consumer({
      groupId: `${this.ctx.groupPrefix}recorder-${randomUUID()}`,
      maxWaitTimeInMs: 100,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: this.topics.map((t) => this.ctx.topicPrefix + t),
      fromBeginning: true,
    });
    await this.consumer.run({
      eachMessage: async ({ topic, message }) => {
        try {
          this.envelopes.push(validateEnvelope(JSON.parse(message.value?.toString('utf8') ?? 'null')));
        } catch (error) {
          this.invalid.push({ topic, error: (error as Error).message });
        }
      },
    });
  }

  of<T extends EventEnvelope['type']>(type: T, key?: string): Array<Extract<EventEnvelope, { type: T }>> {
    return this.envelopes.filter((e) => e.type === type && (!key || e.key === key)) as Array<
      Extract<EventEnvelope, { type: T }>
    >;
  }

  async waitFor<T extends EventEnvelope['type']>(type: T, key: string, count = 1, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.of(type, key);
      if (found.length >= count) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `timed out waiting for ${count} × ${type} for ${key}; saw ${this.envelopes.map((e) => e.type).join(', ')}`,
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/** GraphQL documents the tests share. */
export const EVENT_FIELDS = `
  id organizerId title description category status startsAt endsAt timeZone version cancelReason publishedAt
  salesStartAt salesEndAt doorsOpenAt allowReentry
  transferPolicy { allowed deadline }
  venue { name address city capacity seatMap { seatCount sections { name rows { name seats } } } }
  ticketTypes { id eventId name priceMinor currency kind quantity seatIds perOrderMax perBuyerMax
    pricing { type floorMinor ceilingMinor maxStepPct tierBasis tiers { priceMinor until upToQuantity } } }
`;

export const CREATE_EVENT = `mutation($input: CreateEventInput!) { createEvent(input: $input) { ${EVENT_FIELDS} } }`;
export const UPDATE_EVENT = `mutation($id: ID!, $input: UpdateEventInput!) { updateEvent(id: $id, input: $input) { ${EVENT_FIELDS} } }`;
export const PUBLISH_EVENT = `mutation($id: ID!) { publishEvent(id: $id) { ${EVENT_FIELDS} } }`;
export const CANCEL_EVENT = `mutation($id: ID!, $reason: String!) { cancelEvent(id: $id, reason: $reason) { ${EVENT_FIELDS} } }`;
export const ADD_TICKET_TYPE = `mutation($eventId: ID!, $input: TicketTypeInput!) { addTicketType(eventId: $eventId, input: $input) { ${EVENT_FIELDS} } }`;
export const UPDATE_TICKET_TYPE = `mutation($id: ID!, $input: UpdateTicketTypeInput!) { updateTicketType(id: $id, input: $input) { ${EVENT_FIELDS} } }`;
export const ADD_STAFF = `mutation($eventId: ID!, $email: String!) { addEventStaff(eventId: $eventId, email: $email) { id version staff { userId email name } } }`;
export const REMOVE_STAFF = `mutation($eventId: ID!, $email: String!) { removeEventStaff(eventId: $eventId, email: $email) { id version staff { userId email name } } }`;
export const EVENT_QUERY = `query($id: ID!) { event(id: $id) { ${EVENT_FIELDS} } }`;
export const EVENTS_QUERY = `query($filter: EventsFilterInput, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) { edges { cursor node { id title status startsAt venue { city } } } pageInfo { hasNextPage endCursor } }
}`;

const DAY = 24 * 3600 * 1000;

/** A valid createEvent input some days ahead; override what the test is about. */
export function eventInput(overrides: Record<string, unknown> = {}, daysAhead = 30) {
  const start = new Date(Date.now() + daysAhead * DAY);
  start.setUTCMinutes(0, 0, 0);
  return {
    title: 'Jazz at the Docks',
    description: 'An evening of jazz by the river',
    category: 'MUSIC',
    venue: {
      name: 'Dock Hall',
      address: '1 Quay Street',
      city: 'Lyon',
      capacity: 100,
      seatMap: {
        sections: [
          {
            name: 'A',
            rows: [
              { name: '1', seatCount: 10 },
              { name: '2', seats: ['1', '2', '3'] },
            ],
          },
        ],
      },
    },
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + 4 * 3600 * 1000).toISOString(),
    timeZone: 'Europe/Paris',
    transferPolicy: { allowed: true, deadline: null },
    ...overrides,
  };
}

export function gaInput(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Standing',
    priceMinor: 2500,
    currency: 'EUR',
    kind: 'GENERAL_ADMISSION',
    quantity: 50,
    perOrderMax: 6,
    perBuyerMax: 10,
    ...overrides,
  };
}

export function reservedInput(seatIds: string[], overrides: Record<string, unknown> = {}) {
  return {
    name: 'Front',
    priceMinor: 4000,
    currency: 'EUR',
    kind: 'RESERVED',
    seatIds,
    perOrderMax: 4,
    perBuyerMax: 4,
    ...overrides,
  };
}
