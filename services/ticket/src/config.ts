import {
  baseConfigSchema,
  envBool,
  envDisplayCodeMasterKey,
  envInt,
  envList,
  refuseDevDisplayCodeKey,
} from '@ticketing/platform';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';

export const TICKET_SERVICE_NAME = 'ticket';
export const TICKET_DEFAULT_PORT = 4003;

const PEM_PUBLIC_KEY = /-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g;

/**
 * Parses TICKET_PREVIOUS_PUBLIC_KEYS: one or more PEM public key blocks (SPKI, concatenated) or a JSON array of
 * public Ed25519 JWKs (a `kid` in them is ignored: the published one is derived from the key). Throws an error
 * saying what is wrong, never quoting the value.
 */
export function parsePreviousPublicKeys(raw: string): KeyObject[] {
  const text = raw.trim();
  if (/PRIVATE KEY-----/.test(text)) throw new Error('holds a private key: give public keys only');
  let keys: KeyObject[];
  if (text.startsWith('[') || text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('is not valid JSON (expected a JSON array of public Ed25519 JWKs)');
    }
    if (!Array.isArray(parsed)) throw new Error('expected a JSON array of public Ed25519 JWKs');
    keys = parsed.map((entry: unknown, index) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        throw new Error(`key ${index + 1} is not a JWK object`);
      if ('d' in entry) throw new Error(`key ${index + 1} is a private JWK: give public keys only`);
      try {
        return createPublicKey({ key: entry as JsonWebKey, format: 'jwk' });
      } catch {
        throw new Error(`key ${index + 1} is not a valid public JWK`);
      }
    });
  } else {
    const blocks = text.match(PEM_PUBLIC_KEY) ?? [];
    if (blocks.length === 0 || text.replace(PEM_PUBLIC_KEY, '').trim() !== '')
      throw new Error(
        'expected PEM public key blocks (-----BEGIN PUBLIC KEY-----) or a JSON array of public Ed25519 JWKs',
      );
    keys = blocks.map((block, index) => {
      try {
        return createPublicKey(block);
      } catch {
        throw new Error(`key ${index + 1} is not a valid PEM public key`);
      }
    });
  }
  for (const [index, key] of keys.entries()) {
    if (key.asymmetricKeyType !== 'ed25519')
      throw new Error(`key ${index + 1} is an ${key.asymmetricKeyType ?? 'unknown'} key, expected Ed25519`);
  }
  return keys;
}

// safeExtend: the base schema has refinements, and zod's .extend refuses to overwrite one of its keys (the
// shedder's queue wait, below).
export const ticketConfigSchema = baseConfigSchema(TICKET_SERVICE_NAME, TICKET_DEFAULT_PORT)
  .safeExtend({
    /**
     * Longest wait of an operation for a shedder slot before TRY_AGAIN (the platform's default is 50 ms). A
     * burst of buyers at one instant (twenty racing for the last five tickets) queues for a moment and gets
     * decisions, not "busy": at 10 ms, half of a 20-request burst was refused although the whole burst was
     * served within 300 ms. Real overload is still refused at once: while the event loop lags past
     * OVERLOAD_MAX_LAG_MS nothing queues (below). 10 ms gave lower refusal latency in flash-sale runs
     * (refusal p50 57-95 ms instead of 111-121 ms, bench/flash-sale/REPORT.md), at the cost of those bursts.
     */
    OVERLOAD_QUEUE_TIMEOUT_MS: envInt({ default: 250, min: 1, max: 10_000 }),
    /**
     * Event-loop lag above which the shedder queues nothing and admits at most its minimum (the platform's
     * default leaves lag out). In 200 buyers/s sales the ticket service's refusals over 100 ms fell from 44 %
     * to 15-23 %, refusal p99 from 650 ms to 100-290 ms (bench/flash-sale/REPORT.md).
     */
    OVERLOAD_MAX_LAG_MS: envInt({ default: 40, min: 0, max: 10_000 }),
    /**
     * The waiting room's front door has a shedding lane of its own (platform OVERLOAD_LIGHT_OPERATIONS): a
     * flood of joins and status reads neither starves behind purchases nor is refused for the lag purchases
     * cause, and purchases keep their own limit.
     */
    OVERLOAD_LIGHT_OPERATIONS: envList(['joinWaitingRoom', 'waitingRoomStatus']),
    /** How long a hold lasts before the sweeper returns its stock. */
    HOLD_TTL_SECONDS: envInt({ default: 600, min: 1, max: 24 * 3600 }),
    /** Period of the sweeper (expired holds, interrupted reservations, orders to recover) while it finds work. */
    SWEEP_INTERVAL_MS: envInt({ default: 1000, min: 50, max: 600_000 }),
    /**
     * Longest wait of the sweeper when nothing is due (it also wakes when the earliest hold expires): bounds
     * how late it notices work another replica or a crash left behind.
     */
    SWEEP_IDLE_MAX_MS: envInt({ default: 10_000, min: 50, max: 600_000 }),
    /** Run the sweeper in this process (every replica may: each step is a guarded single-document update). */
    SWEEPER_ENABLED: envBool(true),
    /** A reservation or order stuck half-way this long (a crashed request) is finished or rolled back. */
    RECOVERY_AFTER_MS: envInt({ default: 30_000, min: 100, max: 3_600_000 }),
    /**
     * An accept waits until its offer is this old: long enough for the offer's hold to reach the gates, and for
     * the check-in of a scan made just before it (checkin.recorded) to end the offer TICKET_CHECKED_IN first,
     * so a ticket used at the door in that instant is not handed on as well. 0: no wait.
     */
    TRANSFER_ACCEPT_SETTLE_MS: envInt({ default: 1_000, min: 0, max: 10_000 }),
    /**
     * A payment provider call is abandoned after this long (answer PAYMENT_PROVIDER_ERROR, the attempt stays
     * open for recovery). Must stay well below RECOVERY_AFTER_MS, so recovery never settles an attempt whose
     * call may still be running.
     */
    PAYMENT_TIMEOUT_MS: envInt({ default: 10_000, min: 50, max: 600_000 }),
    /**
     * How old the per-process copy of a ticket type, its event and price quote may be when a hold is
     * checked against it (0 turns the cache off). Changes applied by this process drop it at once.
     */
    CATALOG_CACHE_MS: envInt({ default: 1_000, min: 0, max: 60_000 }),
    /**
     * Shortest time between two salesUpdated summaries to one subscriber: the changes of a burst within it
     * reach the dashboard as one summary. At most 1 s, so a sale shows within about a second.
     */
    SALES_UPDATE_MIN_INTERVAL_MS: envInt({ default: 250, min: 20, max: 1_000 }),
    /** Lifetime of the Redis availability gate of a ticket type before it is rebuilt from MongoDB. */
    GATE_TTL_SECONDS: envInt({ default: 30, min: 1, max: 3600 }),
    /** Ed25519 private key signing QR tokens: PKCS8 PEM or a private JWK (JSON). Required in production. */
    TICKET_SIGNING_KEY: z
      .string()
      .optional()
      .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim())),
    /**
     * Public keys of recently retired QR signing keys, published after the current one so scanners still accept
     * the tokens already on holders' phones during a rotation's overlap (they never sign): PEM public key blocks
     * (SPKI, concatenated) or a JSON array of public Ed25519 JWKs. Unset or empty: none. Remove a key once the
     * overlap is over (services/ticket/README.md, *Rotating the QR signing key*).
     */
    TICKET_PREVIOUS_PUBLIC_KEYS: z
      .string()
      .optional()
      .transform((raw, ctx): KeyObject[] => {
        if (raw === undefined || raw.trim() === '') return [];
        try {
          return parsePreviousPublicKeys(raw);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /**
     * Master key of the rotating display codes (HKDF per ticket and generation), shared with the check-in
     * service through a Secret. Required in production; a fixed development key otherwise.
     */
    DISPLAY_CODE_MASTER_KEY: envDisplayCodeMasterKey(),
    /**
     * HMAC-SHA256 key of waiting-room admission passes (at least 32 characters); every replica must share
     * it. Unset: derived (HKDF, its own label) from DISPLAY_CODE_MASTER_KEY, which production already
     * requires from a Secret, so the development default is refused in production either way.
     */
    WAITING_ROOM_PASS_KEY: z.preprocess(
      (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
      z.string().trim().min(32, { error: 'expected at least 32 characters' }).optional(),
    ),
    /**
     * How long a waiting-room admission holds one of the room's slots (at most the pass's lifetime): a
     * buyer let in who walks away frees their slot for the next in line after this; their pass stays valid.
     */
    WAITING_ROOM_SLOT_HOLD_SECONDS: envInt({ default: 30, min: 1, max: 3600 }),
    /**
     * A waiting buyer with no sign of life for this long (no join or status read, no open subscription) has
     * left: at the head of the queue they are passed over instead of holding a slot; back, they get their
     * place again.
     */
    WAITING_ROOM_PRESENCE_SECONDS: envInt({ default: 20, min: 1, max: 3600 }),
    /**
     * Position pushes a second one process sends per room, however many wait (each waiting subscriber's new
     * position is pushed every waiting/this seconds, within 1-15 s). A change of state is pushed at once.
     */
    WAITING_ROOM_POSITION_PUSHES_PER_S: envInt({ default: 400, min: 1, max: 100_000 }),
    /** Payment provider. Only the built-in test provider exists so far. */
    PAYMENT_PROVIDER: z.enum(['test'], { error: 'expected test' }).default('test'),
    /** The test provider charges nobody: it is refused in production unless explicitly allowed. */
    ALLOW_TEST_PAYMENTS: envBool(false),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.PAYMENT_TIMEOUT_MS * 2 > cfg.RECOVERY_AFTER_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYMENT_TIMEOUT_MS'],
        message:
          'must be at most half of RECOVERY_AFTER_MS (a payment call must end long before recovery settles it)',
      });
    }
    if (cfg.NODE_ENV !== 'production') return;
    refuseDevDisplayCodeKey(cfg, ctx);
    if (cfg.TICKET_SIGNING_KEY === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['TICKET_SIGNING_KEY'],
        message: 'is required when NODE_ENV=production (mount it from a Secret)',
      });
    }
    if (cfg.PAYMENT_PROVIDER === 'test' && !cfg.ALLOW_TEST_PAYMENTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['PAYMENT_PROVIDER'],
        message:
          'the test provider is refused when NODE_ENV=production (set ALLOW_TEST_PAYMENTS=true to force it)',
      });
    }
  });

export type TicketConfig = z.infer<typeof ticketConfigSchema>;
