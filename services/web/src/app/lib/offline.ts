import type { OfflineBundle, ScanOutcome } from '../api/types';

// The scanner without the network: the offline bundle (public keys, valid tickets, revocations) kept on the
// device, a local decision for each QR token, the set of tickets this device already admitted, and a
// persisted queue of scans waiting for syncScans. Everything lives in localStorage, per event.

export type ScanDirection = 'ENTRY' | 'EXIT';

export interface QueuedScan {
  code: string;
  /** Absent in scans queued before directions existed: ENTRY. */
  direction?: ScanDirection;
  gateId: string;
  deviceId: string;
  nonce: string;
  scannedAt: string;
  /** What the device answered (for the sync summary). */
  localResult: string;
  holderName: string | null;
}

interface LocalAdmission {
  /** The first admission. */
  at: string;
  gateId: string;
  /** False after an exit scan (events with re-entry). */
  inside: boolean;
}

const bundleKey = (eventId: string) => `scanner:bundle:${eventId}`;
const queueKey = (eventId: string) => `scanner:queue:${eventId}`;
const admittedKey = (eventId: string) => `scanner:admitted:${eventId}`;

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : fallback;
  } catch {
    return fallback;
  }
}

/** Writes; false when the device's storage is full or unavailable (the caller says so). */
function write(key: string, value: unknown): boolean {
  try {
    localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch {
    return false;
  }
}

export interface StoredBundle {
  bundle: OfflineBundle;
  /** When this device downloaded it. */
  savedAt: string;
}

export const loadBundle = (eventId: string): StoredBundle | null =>
  read<StoredBundle | null>(bundleKey(eventId), null);

export function saveBundle(bundle: OfflineBundle): StoredBundle | null {
  const stored: StoredBundle = { bundle, savedAt: new Date().toISOString() };
  return write(bundleKey(bundle.eventId), stored) ? stored : null;
}

export const loadQueue = (eventId: string): QueuedScan[] => read<QueuedScan[]>(queueKey(eventId), []);

export function enqueue(eventId: string, scan: QueuedScan): boolean {
  return write(queueKey(eventId), [...loadQueue(eventId), scan]);
}

/** Drops the scans the server has answered (by nonce), keeping any queued meanwhile. */
export function dequeue(eventId: string, nonces: ReadonlySet<string>): void {
  write(
    queueKey(eventId),
    loadQueue(eventId).filter((s) => !nonces.has(s.nonce)),
  );
}

/**
 * Tickets this device saw admitted (online or offline), inside or out after an exit, so an offline repeat is
 * caught here.
 */
export function rememberAdmission(
  eventId: string,
  ticketId: string,
  gateId: string,
  at: string,
  inside = true,
): void {
  const all = read<Record<string, LocalAdmission>>(admittedKey(eventId), {});
  const known = all[ticketId];
  all[ticketId] = known ? { ...known, inside } : { at, gateId, inside };
  write(admittedKey(eventId), all);
}

function localAdmission(eventId: string, ticketId: string): LocalAdmission | null {
  return read<Record<string, LocalAdmission>>(admittedKey(eventId), {})[ticketId] ?? null;
}

// --- QR tokens: T1.<base64url payload>.<base64url Ed25519 signature over "T1.<payload>"> ---

interface Claims {
  ticketId: string;
  eventId: string;
  generation: number;
  keyId: string;
}

function base64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return null;
  }
}

function parseToken(
  code: string,
): { claims: Claims; signed: Uint8Array<ArrayBuffer>; signature: Uint8Array<ArrayBuffer> } | null {
  const parts = code.split('.');
  if (code.length > 1024 || parts.length !== 3 || parts[0] !== 'T1') return null;
  const payload = base64url(parts[1]!);
  const signature = base64url(parts[2]!);
  if (!payload || !signature || signature.length !== 64) return null;
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.t !== 'string' ||
    typeof p.e !== 'string' ||
    typeof p.k !== 'string' ||
    typeof p.g !== 'number' ||
    !Number.isInteger(p.g) ||
    p.g < 1
  ) {
    return null;
  }
  return {
    claims: { ticketId: p.t, eventId: p.e, generation: p.g, keyId: p.k },
    signed: new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
    signature,
  };
}

let webCryptoEd25519: boolean | null = null;

/**
 * Ed25519 verification: WebCrypto where the browser has it (Chromium 137+, Firefox 129+, Safari 17+), else
 * the @noble/ed25519 library, loaded only then.
 */
async function verifyEd25519(
  x: string,
  signature: Uint8Array<ArrayBuffer>,
  message: Uint8Array<ArrayBuffer>,
): Promise<boolean> {
  if (webCryptoEd25519 !== false) {
    try {
      const key = await crypto.subtle.importKey(
        'jwk',
        { kty: 'OKP', crv: 'Ed25519', x },
        { name: 'Ed25519' },
        false,
        ['verify'],
      );
      webCryptoEd25519 = true;
      return await crypto.subtle.verify({ name: 'Ed25519' }, key, signature, message);
    } catch (error) {
      // NotSupportedError: this browser has no Ed25519 in WebCrypto. Anything else is a bad key or signature.
      if (!(error instanceof DOMException && error.name === 'NotSupportedError') || webCryptoEd25519)
        return false;
      webCryptoEd25519 = false;
    }
  }
  const publicKey = base64url(x);
  if (!publicKey || publicKey.length !== 32) return false;
  const ed = await import('@noble/ed25519');
  try {
    return await ed.verifyAsync(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** Which verifier this browser uses (shown on the scanner). */
export async function verifierName(): Promise<string> {
  if (webCryptoEd25519 === null) {
    try {
      // A throwaway check with a well-formed all-zero key: only NotSupportedError matters.
      await crypto.subtle.importKey(
        'jwk',
        { kty: 'OKP', crv: 'Ed25519', x: 'A'.repeat(43) },
        { name: 'Ed25519' },
        false,
        ['verify'],
      );
      webCryptoEd25519 = true;
    } catch (error) {
      webCryptoEd25519 = !(error instanceof DOMException && error.name === 'NotSupportedError');
    }
  }
  return webCryptoEd25519 ? 'WebCrypto Ed25519' : '@noble/ed25519';
}

/** An answer shaped like the API's, so the scanner shows offline and online answers the same way. */
function outcome(
  result: ScanOutcome['result'],
  reason: string | null,
  extra: Partial<ScanOutcome> = {},
): ScanOutcome {
  return {
    result,
    reason,
    ticketId: null,
    holderName: null,
    ticketTypeName: null,
    generation: null,
    method: null,
    checkedInAt: null,
    checkedInGateId: null,
    scannedAt: new Date().toISOString(),
    ...extra,
  };
}

export interface OfflineDecision {
  outcome: ScanOutcome;
  /** False when the server must not see it again (this device's own repeat) or could not judge it either. */
  queue: boolean;
}

/**
 * Decides a scan from the bundle alone, as the check-in service would: signature, event, cancellation,
 * revocations and generation, doors, then this device's own admissions (first scan wins here too).
 */
export async function decideOffline(
  stored: StoredBundle,
  rawCode: string,
  gateId: string,
  direction: ScanDirection = 'ENTRY',
  now = new Date(),
): Promise<OfflineDecision> {
  const { bundle } = stored;
  const code = rawCode.trim();
  if (code.startsWith('D1.')) {
    // The rotating code's secret never leaves the server: it cannot be checked offline.
    return {
      outcome: outcome('INVALID', 'ROTATING_CODE_NEEDS_NETWORK', { method: 'ROTATING_CODE' }),
      queue: false,
    };
  }
  const token = parseToken(code);
  if (!token) return { outcome: outcome('INVALID', 'UNREADABLE_CODE'), queue: true };
  const { claims } = token;
  const base = {
    method: 'QR' as const,
    ticketId: claims.ticketId,
    generation: claims.generation,
    direction,
  };
  const key = bundle.keys.find((k) => k.kid === claims.keyId);
  if (!key || !(await verifyEd25519(key.x, token.signature, token.signed))) {
    return { outcome: outcome('INVALID', 'BAD_SIGNATURE', { method: 'QR' }), queue: true };
  }
  if (claims.eventId !== bundle.eventId)
    return { outcome: outcome('WRONG_EVENT', 'OTHER_EVENT', base), queue: true };

  const ticket = bundle.tickets.find((t) => t.ticketId === claims.ticketId);
  const named = ticket
    ? { ...base, holderName: ticket.holderName, ticketTypeName: ticket.ticketTypeName }
    : base;
  if (bundle.cancelled) return { outcome: outcome('REVOKED', 'EVENT_CANCELLED', named), queue: true };
  const revoked = bundle.revocations.find((r) => r.ticketId === claims.ticketId);
  if (revoked?.all) return { outcome: outcome('REVOKED', 'REVOKED', named), queue: true };
  if (revoked && claims.generation <= revoked.generation)
    return { outcome: outcome('REVOKED', 'OLD_GENERATION', named), queue: true };
  if (!ticket) return { outcome: outcome('INVALID', 'UNKNOWN_TICKET', named), queue: true };
  if (claims.generation < ticket.generation)
    return { outcome: outcome('REVOKED', 'OLD_GENERATION', named), queue: true };
  // Newer than this bundle knows (a transfer after the download): the server decides when it syncs.
  if (claims.generation > ticket.generation)
    return { outcome: outcome('INVALID', 'UNKNOWN_GENERATION', named), queue: true };
  // Offered to someone else: held at the gate until the offer ends (leaving is never held).
  if (direction === 'ENTRY' && ticket.transferPending)
    return { outcome: outcome('REVOKED', 'TRANSFER_PENDING', named), queue: true };
  const earlier = localAdmission(bundle.eventId, claims.ticketId);
  const at = now.toISOString();
  if (direction === 'EXIT') {
    if (!bundle.allowReentry)
      return { outcome: outcome('REENTRY_NOT_ALLOWED', 'REENTRY_NOT_ALLOWED', named), queue: true };
    if (earlier && !earlier.inside)
      return { outcome: outcome('NOT_INSIDE', 'NOT_INSIDE', named), queue: true };
    // Admitted here, or maybe at another gate: the exit is recorded, and the server reconciles on sync.
    rememberAdmission(bundle.eventId, claims.ticketId, gateId, at, false);
    return { outcome: outcome('EXITED', null, { ...named, scannedAt: at }), queue: true };
  }
  if (now.getTime() < new Date(bundle.doorsOpenAt).getTime())
    return { outcome: outcome('NOT_YET_OPEN', 'DOORS_CLOSED', named), queue: true };
  if (bundle.endsAt && now.getTime() > new Date(bundle.endsAt).getTime())
    return { outcome: outcome('REVOKED', 'EVENT_ENDED', named), queue: true };
  if (earlier?.inside) {
    return {
      outcome: outcome('ALREADY_CHECKED_IN', null, {
        ...named,
        checkedInAt: earlier.at,
        checkedInGateId: earlier.gateId,
      }),
      queue: false,
    };
  }
  rememberAdmission(bundle.eventId, claims.ticketId, gateId, at, true);
  return {
    outcome: outcome('ACCEPTED', null, { ...named, scannedAt: at, reentry: Boolean(earlier) }),
    queue: true,
  };
}
