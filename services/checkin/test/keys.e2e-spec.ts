import { createRequire } from 'node:module';
import { getModelToken } from '@nestjs/mongoose';
import {
  createTestContext,
  createTestIssuer,
  dropTestContext,
  ensureTopics,
  type TestContext,
  type TestIssuer,
} from '@ticketing/platform/testing';
import type { Model } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KNOWN_TICKET_KEY, type KnownTicketKeyDoc } from '../src/keys/schemas';
import { ReplicaService } from '../src/replica/replica.service';
import { startCheckin, type RunningCheckin } from './support/checkin-app';
import {
  eventFixture,
  issuedTicket,
  nonce,
  staffChanged,
  TestPublisher,
  TicketKeyServer,
  user,
  waitFor,
  type EventFixture,
  type TicketFixture,
} from './support/fixtures';
import { gql } from './support/graphql-client';

vi.mock('graphql', () => createRequire(__filename)('graphql'));

// Key rotation as check-in sees it: the ticket service's published set is authoritative when a fetch succeeds
// with a valid key (keys it no longer lists are retired, in memory, in MongoDB and in the offline bundle), and
// a fetch that fails changes nothing. Check-in refetches every second here (TICKET_KEYS_REFRESH_MS).

const SCAN = `mutation($input: ScanTicketInput!) { scanTicket(input: $input) { result reason ticketId } }`;
const BUNDLE = `query($eventId: ID!) { offlineBundle(eventId: $eventId) { version keys { kid } } }`;
const REFRESH_MS = 1_000;

let ctx: TestContext;
let issuer: TestIssuer;
let keyServer: TicketKeyServer;
let publisher: TestPublisher;
let svc: RunningCheckin;
let staffToken: string;
let fx: EventFixture;
let kidA: string;
let kidB: string;
const organizer = user('ORGANIZER', 'Olga Organizer');
const staff = user('STAFF', 'Sam Staff');
const tickets: TicketFixture[] = [];
let used = 0;

/** A ticket no test has scanned yet. */
function freshTicket(): TicketFixture {
  const t = tickets[used++];
  if (!t) throw new Error('out of tickets: publish more in beforeAll');
  return t;
}

async function scanWith(url: string, kid: string, t = freshTicket()) {
  const answer = await gql(
    url,
    SCAN,
    {
      input: {
        eventId: fx.eventId,
        code: keyServer.tokenOf(kid, fx, t),
        gateId: 'North 1',
        deviceId: 'scanner-1',
        nonce: nonce(),
      },
    },
    staffToken,
  );
  expect(answer.errors).toBeUndefined();
  const { result, reason } = answer.data.scanTicket as { result: string; reason: string | null };
  return { result, reason };
}

async function bundleOf(url: string): Promise<{ version: string; kids: string[] }> {
  const answer = await gql(url, BUNDLE, { eventId: fx.eventId }, staffToken);
  expect(answer.errors).toBeUndefined();
  const bundle = answer.data.offlineBundle as { version: string; keys: Array<{ kid: string }> };
  return { version: bundle.version, kids: bundle.keys.map((k) => k.kid).sort() };
}

async function storedKids(): Promise<string[]> {
  const stored = svc.get<Model<KnownTicketKeyDoc>>(getModelToken(KNOWN_TICKET_KEY));
  const docs = await stored.find({}).lean<KnownTicketKeyDoc[]>().exec();
  return docs.map((d) => d._id).sort();
}

/**
 * Waits until check-in has fetched the set at least once, start to end, since this call: the key server counts
 * requests, and check-in sends the next one only after the previous fetch (and its MongoDB writes) finished.
 */
async function afterAFullFetch(): Promise<void> {
  const before = keyServer.requests;
  await waitFor(async () => keyServer.requests >= before + 2, 10_000);
}

const sorted = (...kids: string[]) => [...kids].sort();

beforeAll(async () => {
  ctx = createTestContext('checkin-keys');
  await ensureTopics(ctx);
  issuer = await createTestIssuer();
  keyServer = new TicketKeyServer();
  kidA = keyServer.kids[0]!;
  kidB = keyServer.rotate();
  await keyServer.start();
  publisher = new TestPublisher(ctx);
  await publisher.connect();
  staffToken = await issuer.sign(staff);

  fx = eventFixture(organizer.id);
  for (let i = 0; i < 24; i++) tickets.push(issuedTicket(fx, `Holder ${i}`));
  await publisher.publish(
    fx.published,
    staffChanged(fx, [{ userId: staff.id, email: staff.email }]),
    ...tickets.map((t) => t.issued),
  );
  svc = await startCheckin(ctx, issuer, keyServer.ticketUrl, { TICKET_KEYS_REFRESH_MS: String(REFRESH_MS) });
  const replica = svc.get(ReplicaService);
  await waitFor(async () => (await replica.findTicket(tickets.at(-1)!.ticketId))?.holderName);
  await waitFor(async () => (await replica.findEvent(fx.eventId))?.staff?.length === 1);
}, 60_000);

afterAll(async () => {
  await svc?.close();
  await publisher?.disconnect();
  await keyServer?.stop();
  await issuer?.close();
  if (ctx) await dropTestContext(ctx);
});

describe('ticket QR keys', () => {
  let versionWithBoth: string;

  it('accepts tokens of every listed key and lists them in the offline bundle and the MongoDB copy', async () => {
    expect(kidA).not.toBe(kidB);
    expect(await scanWith(svc.url, kidA)).toMatchObject({ result: 'ACCEPTED' });
    expect(await scanWith(svc.url, kidB)).toMatchObject({ result: 'ACCEPTED' });
    const bundle = await bundleOf(svc.url);
    expect(bundle.kids).toEqual(sorted(kidA, kidB));
    versionWithBoth = bundle.version;
    await waitFor(async () => (await storedKids()).length === 2);
    expect(await storedKids()).toEqual(sorted(kidA, kidB));
  });

  it('keeps every known key when a fetch fails: HTTP 500, no valid key, an unreadable body, ticket down', async () => {
    const failures: Array<[string, number, unknown]> = [
      ['HTTP 500', 500, { error: 'boom' }],
      ['empty keys', 200, { keys: [] }],
      ['no keys field', 200, {}],
      [
        'no valid key',
        200,
        {
          keys: [
            { kid: 'rsa-1', kty: 'RSA', n: 'AQAB', e: 'AQAB' },
            { kid: 'broken', kty: 'OKP', crv: 'Ed25519', x: '!!' },
            null,
            'x',
          ],
        },
      ],
      ['not JSON', 200, '<html>maintenance</html>'],
    ];
    for (const [name, status, body] of failures) {
      keyServer.answerWith(status, body);
      await afterAFullFetch();
      expect(await scanWith(svc.url, kidA), name).toMatchObject({ result: 'ACCEPTED' });
      expect(await scanWith(svc.url, kidB), name).toMatchObject({ result: 'ACCEPTED' });
      expect((await bundleOf(svc.url)).kids, name).toEqual(sorted(kidA, kidB));
      expect(await storedKids(), name).toEqual(sorted(kidA, kidB));
    }
    keyServer.answerKeys();

    const port = keyServer.port;
    await keyServer.stop();
    try {
      // Connection refused at once: two and a half refresh periods are at least two failed fetches.
      await new Promise((resolve) => setTimeout(resolve, 2.5 * REFRESH_MS));
      expect(await scanWith(svc.url, kidA), 'ticket down').toMatchObject({ result: 'ACCEPTED' });
      expect(await scanWith(svc.url, kidB), 'ticket down').toMatchObject({ result: 'ACCEPTED' });
      expect((await bundleOf(svc.url)).kids, 'ticket down').toEqual(sorted(kidA, kidB));
      expect(await storedKids(), 'ticket down').toEqual(sorted(kidA, kidB));
    } finally {
      await keyServer.start(port);
    }
    // Five failing answers and a stopped server, each waited for over about two refresh periods.
  }, 60_000);

  it('retires a key the set no longer lists: its tokens answer INVALID, it leaves the bundle and MongoDB', async () => {
    // A token of A issued (shown on a phone) before the rotation ends, scanned only after it.
    const heldBack = freshTicket();
    keyServer.serveOnly([kidB]);
    await afterAFullFetch();
    expect(await scanWith(svc.url, kidA, heldBack)).toEqual({ result: 'INVALID', reason: 'BAD_SIGNATURE' });
    expect(await scanWith(svc.url, kidA)).toEqual({ result: 'INVALID', reason: 'BAD_SIGNATURE' });
    expect(await scanWith(svc.url, kidB)).toMatchObject({ result: 'ACCEPTED' });

    const bundle = await bundleOf(svc.url);
    expect(bundle.kids).toEqual([kidB]);
    // The bundle's version covers its key ids: devices holding the old bundle see it changed and refetch.
    expect(bundle.version).not.toBe(versionWithBoth);
    expect(await storedKids()).toEqual([kidB]);
  });

  it('does not trust the retired key after a restart while the ticket service is down', async () => {
    const port = keyServer.port;
    await keyServer.stop();
    const restarted = await startCheckin(ctx, issuer, `http://127.0.0.1:${port}/graphql`, {
      TICKET_KEYS_REFRESH_MS: String(REFRESH_MS),
    });
    try {
      // Loaded from the MongoDB copy only (every fetch fails): B verifies, A does not.
      expect(await scanWith(restarted.url, kidA)).toEqual({ result: 'INVALID', reason: 'BAD_SIGNATURE' });
      expect(await scanWith(restarted.url, kidB)).toMatchObject({ result: 'ACCEPTED' });
      expect((await bundleOf(restarted.url)).kids).toEqual([kidB]);
    } finally {
      await restarted.close();
      await keyServer.start(port);
    }
  });
});
