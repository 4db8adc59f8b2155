import { newEnvelope, TOPICS, type EventEnvelope, type EventType } from '@ticketing/contracts';
import { keyIdOf, scannableDisplayCode, signTicketToken } from '@ticketing/platform';
import type { TestContext, TestTokenUser } from '@ticketing/platform/testing';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';

export const oid = (): string => new Types.ObjectId().toHexString();

export function user(role: TestTokenUser['role'] = 'STAFF', name = 'Sam Staff'): TestTokenUser {
  const id = oid();
  return { id, email: `${role.toLowerCase()}-${id}@example.test`, role, name };
}

const iso = (ms: number) => new Date(ms).toISOString();

export interface EventFixture {
  eventId: string;
  organizerId: string;
  typeId: string;
  published: EventEnvelope<'event.published'>;
}

export interface GateOptions {
  /** The event's own doors-open instant (ms since the epoch); absent: the check-in default. */
  doorsOpenAt?: number;
  allowReentry?: boolean;
}

/** A published event with one general-admission type, starting `startsInMs` from now (default: doors open). */
export function eventFixture(
  organizerId: string,
  startsInMs = 30 * 60_000,
  gates: GateOptions = {},
): EventFixture {
  const eventId = oid();
  const typeId = oid();
  const now = Date.now();
  const startsAt = now + startsInMs;
  const published = newEnvelope(
    'event.published',
    eventId,
    {
      eventId,
      organizerId,
      title: 'Gate Test Night',
      category: 'concert',
      startsAt: iso(startsAt),
      endsAt: iso(startsAt + 4 * 3600_000),
      timezone: 'Europe/Berlin',
      venue: { name: 'Hall', city: 'Berlin', capacity: 5000 },
      salesStart: iso(now - 30 * 24 * 3600_000),
      salesEnd: iso(startsAt),
      transferPolicy: { allowed: true, deadline: null },
      ticketTypes: [
        {
          ticketTypeId: typeId,
          eventId,
          name: 'Standing',
          kind: 'GENERAL_ADMISSION',
          quantity: 1000,
          basePrice: { amount: 4500, currency: 'EUR' },
          perOrderMax: 6,
          perBuyerMax: 8,
          salesStart: iso(now - 30 * 24 * 3600_000),
          salesEnd: iso(startsAt),
          pricingPolicy: { kind: 'FIXED' },
          aggregateVersion: 1,
        },
      ],
      aggregateVersion: 1,
      status: 'PUBLISHED',
      publishedAt: iso(now - 24 * 3600_000),
      ...(gates.doorsOpenAt !== undefined ? { doorsOpenAt: iso(gates.doorsOpenAt) } : {}),
      ...(gates.allowReentry !== undefined ? { allowReentry: gates.allowReentry } : {}),
    },
    { source: 'event' },
  );
  return { eventId, organizerId, typeId, published };
}

/** event.updated with new doors / re-entry settings (the rest of the snapshot as published). */
export function gatesUpdated(
  fx: EventFixture,
  gates: { doorsOpenAt: number | null; allowReentry: boolean },
  version = 2,
): EventEnvelope<'event.updated'> {
  const { publishedAt: _publishedAt, ...snapshot } = fx.published.data;
  return newEnvelope(
    'event.updated',
    fx.eventId,
    {
      ...snapshot,
      status: 'PUBLISHED',
      doorsOpenAt: gates.doorsOpenAt === null ? null : iso(gates.doorsOpenAt),
      allowReentry: gates.allowReentry,
      changedFields: ['doorsOpenAt', 'allowReentry'],
      updatedAt: iso(Date.now()),
      aggregateVersion: version,
    },
    { source: 'event' },
  );
}

export function staffChanged(
  fx: EventFixture,
  staff: Array<{ userId: string | null; email: string }>,
  version = 1,
): EventEnvelope<'event.staff-changed'> {
  return newEnvelope(
    'event.staff-changed',
    fx.eventId,
    {
      eventId: fx.eventId,
      organizerId: fx.organizerId,
      staff,
      changedAt: iso(Date.now()),
      aggregateVersion: version,
    },
    { source: 'event' },
  );
}

export interface TicketFixture {
  ticketId: string;
  holderId: string;
  holderName: string;
  issued: EventEnvelope<'ticket.issued'>;
}

export function issuedTicket(fx: EventFixture, holderName = 'Hana Holder'): TicketFixture {
  const ticketId = oid();
  const holderId = oid();
  const issued = newEnvelope(
    'ticket.issued',
    fx.eventId,
    {
      ticketId,
      eventId: fx.eventId,
      ticketTypeId: fx.typeId,
      ticketTypeName: 'Standing',
      orderId: oid(),
      holderId,
      holderName,
      generation: 1,
      issuedAt: iso(Date.now()),
      aggregateVersion: 1,
    },
    { source: 'ticket' },
  );
  return { ticketId, holderId, holderName, issued };
}

/** ticket.transferred + ticket.revoked (TRANSFERRED), as the ticket service publishes on accept. */
export function transferOf(
  fx: EventFixture,
  t: TicketFixture,
  toHolderName = 'Rita Recipient',
): [EventEnvelope<'ticket.transferred'>, EventEnvelope<'ticket.revoked'>, string] {
  const toHolderId = oid();
  const at = iso(Date.now());
  return [
    newEnvelope(
      'ticket.transferred',
      fx.eventId,
      {
        ticketId: t.ticketId,
        eventId: fx.eventId,
        ticketTypeId: fx.typeId,
        transferId: oid(),
        fromHolderId: t.holderId,
        toHolderId,
        toHolderName,
        generation: 2,
        previousGeneration: 1,
        transferredAt: at,
        aggregateVersion: 2,
      },
      { source: 'ticket' },
    ),
    newEnvelope(
      'ticket.revoked',
      fx.eventId,
      {
        ticketId: t.ticketId,
        eventId: fx.eventId,
        generation: 1,
        reason: 'TRANSFERRED',
        revokedAt: at,
        aggregateVersion: 3,
      },
      { source: 'ticket' },
    ),
    toHolderId,
  ];
}

/** ticket.transfer-offered (held) or ticket.transfer-withdrawn (released) of generation 1, as of `version`. */
export function holdOf(
  fx: EventFixture,
  t: TicketFixture,
  held: boolean,
  version: number,
  transferId = 'aaaaaaaaaaaaaaaaaaaaaaaa',
): EventEnvelope<'ticket.transfer-offered'> | EventEnvelope<'ticket.transfer-withdrawn'> {
  const common = {
    ticketId: t.ticketId,
    eventId: fx.eventId,
    transferId,
    generation: 1,
    aggregateVersion: version,
  };
  return held
    ? newEnvelope(
        'ticket.transfer-offered',
        fx.eventId,
        { ...common, offeredAt: iso(Date.now()) },
        { source: 'ticket' },
      )
    : newEnvelope(
        'ticket.transfer-withdrawn',
        fx.eventId,
        { ...common, reason: 'CANCELLED', withdrawnAt: iso(Date.now()) },
        { source: 'ticket' },
      );
}

export function cancelled(fx: EventFixture): EventEnvelope<'event.cancelled'> {
  return newEnvelope(
    'event.cancelled',
    fx.eventId,
    {
      eventId: fx.eventId,
      organizerId: fx.organizerId,
      title: 'Gate Test Night',
      reason: 'Storm warning',
      cancelledBy: fx.organizerId,
      cancelledAt: iso(Date.now()),
      aggregateVersion: 2,
    },
    { source: 'event' },
  );
}

/** Publishes envelopes to the context's prefixed topics, keyed by event id (the contract's topic per type). */
export class TestPublisher {
  private readonly producer: Producer;

  constructor(private readonly ctx: TestContext) {
    this.producer = new Kafka({
      clientId: 'checkin-test',
      brokers: ctx.env.KAFKA_BROKERS.split(','),
      logLevel: logLevel.NOTHING,
    }).producer();
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async publish(...envelopes: Array<EventEnvelope<EventType>>): Promise<void> {
    for (const envelope of envelopes) {
      const topic = envelope.type.startsWith('event.') ? TOPICS.events : TOPICS.tickets;
      const message = {
        topic: this.ctx.topicPrefix + topic,
        messages: [{ key: envelope.key, value: JSON.stringify(envelope) }],
      };
      // A just-created topic may take a moment to reach the broker's metadata.
      for (let attempt = 1; ; attempt++) {
        try {
          await this.producer.send(message);
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    }
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}

/**
 * Stands in for the ticket service's `/.well-known/ticket-keys.json` (the only thing check-in fetches from
 * it) and signs QR tokens the way the ticket service does. `rotate()` adds a new signing key; `serveOnly()`
 * replaces the served set (retiring the others) and `answerWith()` makes it answer something else.
 */
export class TicketKeyServer {
  private server?: Server;
  private readonly keys: Array<{ kid: string; privateKey: KeyObject; publicKey: KeyObject }> = [];
  /** The kids served, in order; undefined: every key made so far. */
  private served?: string[];
  /** Answer every request with this instead of the key set (undefined: the key set). */
  private override?: { status: number; body: string };
  requests = 0;
  port = 0;

  constructor() {
    this.rotate();
  }

  /** Makes a new signing key (the one `token()` signs with from now on) and serves it too. */
  rotate(): string {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const kid = keyIdOf(publicKey);
    this.keys.push({ kid, privateKey, publicKey });
    this.served?.push(kid);
    return kid;
  }

  /** The kids of every key made so far, oldest first. */
  get kids(): string[] {
    return this.keys.map((k) => k.kid);
  }

  /** Serves these keys only (made by this server, in this order); the others stay usable for signing. */
  serveOnly(kids: string[]): void {
    for (const kid of kids) this.keyOf(kid);
    this.served = [...kids];
  }

  /** Answers every request with `status` and `body` (e.g. 500, or 200 with no valid key) until `answerKeys()`. */
  answerWith(status: number, body: unknown = ''): void {
    this.override = { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
  }

  /** Serves the key set again. */
  answerKeys(): void {
    this.override = undefined;
  }

  get ticketUrl(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url !== '/.well-known/ticket-keys.json') {
        res.writeHead(404).end();
        return;
      }
      this.requests += 1;
      if (this.override) {
        res.writeHead(this.override.status, { 'content-type': 'application/json' }).end(this.override.body);
        return;
      }
      const keys = (this.served ?? this.kids)
        .map((kid) => this.keyOf(kid))
        .map((k) => ({
          ...k.publicKey.export({ format: 'jwk' }),
          kid: k.kid,
          alg: 'EdDSA',
          use: 'sig',
        }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** A T1 token signed with the newest key. */
  token(fx: EventFixture, t: TicketFixture, generation = 1, holderId = t.holderId): string {
    return this.tokenOf(this.keys[this.keys.length - 1]!.kid, fx, t, generation, holderId);
  }

  /** A T1 token signed with the key `kid` (made by this server, served or not). */
  tokenOf(kid: string, fx: EventFixture, t: TicketFixture, generation = 1, holderId = t.holderId): string {
    const key = this.keyOf(kid);
    return signTicketToken(
      { ticketId: t.ticketId, eventId: fx.eventId, holderId, generation },
      key.privateKey,
      key.kid,
    );
  }

  private keyOf(kid: string): { kid: string; privateKey: KeyObject; publicKey: KeyObject } {
    const key = this.keys.find((k) => k.kid === kid);
    if (!key) throw new Error(`TicketKeyServer: no key ${kid}`);
    return key;
  }
}

/** The display code the holder's app would show at `timeMs`. */
export function displayCodeOf(
  masterKey: string,
  t: TicketFixture,
  generation = 1,
  timeMs = Date.now(),
): string {
  return scannableDisplayCode(masterKey, t.ticketId, generation, timeMs);
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let nonceCounter = 0;
/** A fresh scan nonce. */
export function nonce(): string {
  nonceCounter += 1;
  return `n${Date.now().toString(36)}${nonceCounter.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
