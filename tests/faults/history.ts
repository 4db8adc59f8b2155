// The history checker of the fault suite. Every client operation of a fault run is logged (start, end,
// outcome); once the run has settled, the final database state is read and the two are compared:
//   - every `ok` operation is present (its reservation, its confirmed order with exactly its tickets, its scan),
//   - every `fail` operation is absent,
//   - every `unknown` operation (timeout, connection lost, 5xx, an error that does not say nothing happened)
//     is present at most once,
//   - no ticket admitted twice, stock never oversold, counters equal to the documents they count, outboxes
//     drained, every service ready again.
// Pure functions only: the fault suite collects the history and the state, `checkHistory` judges them.
import { createHash } from 'node:crypto';

export type Outcome = 'ok' | 'fail' | 'unknown';

interface OpBase {
  /** The client that sent it (buyer id, scanner device id). */
  client: string;
  /** ms since the run started. */
  start: number;
  end: number;
  outcome: Outcome;
  /** The error code or message when not ok. */
  error?: string;
}

export interface ReserveOp extends OpBase {
  kind: 'reserve';
  /** The reservation the server answered with (ok only). */
  reservationId?: string;
}

export interface CheckoutOp extends OpBase {
  kind: 'checkout';
  reservationId: string;
  idempotencyKey: string;
  quantity: number;
  /** The order the server answered with (ok only). */
  orderId?: string;
}

export interface ScanOp extends OpBase {
  kind: 'scan';
  eventId: string;
  ticketId: string;
  deviceId: string;
  nonce: string;
  /** ScanResult answered (ok only): ACCEPTED, ALREADY_CHECKED_IN, ... */
  result?: string;
}

export type Op = ReserveOp | CheckoutOp | ScanOp;

/** What the services' databases (and health endpoints) hold once the run has settled. */
export interface FinalState {
  /** Stock of the one ticket type on sale. */
  stock: number;
  /** Every buyer kept buying until SOLD_OUT: the whole stock must be sold. */
  expectSoldOut: boolean;
  inventory: { capacity: number; available: number; held: number; sold: number };
  /** `status` as stored: a refused reserve may leave a FAILED record (its crash log), never a hold. */
  reservations: Array<{ id: string; buyerId: string; status?: string }>;
  orders: Array<{ id: string; reservationId: string; status: string; ticketIds: string[]; quantity: number }>;
  tickets: Array<{ id: string; orderId: string }>;
  checkins: Array<{ ticketId: string; entryId: string }>;
  scanLog: Array<{ id: string; result: string }>;
  /**
   * check-in's attendance counters. Every scan-log entry is counted once in exactly one of admitted,
   * reentries, exits, repeats or refused; `conflicts` (offline scans that ran into an earlier admission) is a
   * subset of `repeats`, not a sixth bucket (services/checkin/src/attendance/attendance.service.ts `addCounts`).
   */
  attendance: {
    admitted: number;
    repeats: number;
    refused: number;
    conflicts: number;
    /** Returns after an exit and exits (events with re-entry); absent: none. */
    reentries?: number;
    exits?: number;
  } | null;
  /** pricing's totals for the type and the sum of its demand buckets' `sold`. */
  pricing: { soldTotal: number; heldTotal: number; bucketSold: number } | null;
  /** `<service>.<collection>` → documents whose outbox is still pending. */
  outboxPending: Record<string, number>;
  /** service → answered /readyz 200 at the end. */
  ready: Record<string, boolean>;
}

export interface Verdict {
  fault: string;
  violations: string[];
  figures: Record<string, number | string>;
  /** One line with the figures (and the first violations). */
  line: string;
}

/** The scan log `_id` the check-in service derives from (event, device, nonce). */
export function scanEntryId(eventId: string, deviceId: string, nonce: string): string {
  return createHash('sha256').update(`scan:${eventId}:${deviceId}:${nonce}`).digest('hex').slice(0, 24);
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export function checkHistory(fault: string, history: readonly Op[], state: FinalState): Verdict {
  const violations: string[] = [];
  const bad = (message: string) => violations.push(message);

  // ---- reservations -------------------------------------------------------------------------------
  const reserves = history.filter((op): op is ReserveOp => op.kind === 'reserve');
  const reservationIds = new Set(state.reservations.map((r) => r.id));
  for (const op of reserves) {
    if (op.outcome === 'ok' && (!op.reservationId || !reservationIds.has(op.reservationId))) {
      bad(`reserve ok for ${op.client} but reservation ${op.reservationId ?? '?'} is missing`);
    }
  }
  // A buyer's reservations are at most its ok + unknown reserves: every failed one left nothing behind but,
  // at most, a FAILED record (a refusal at the stock step, e.g. SOLD_OUT from MongoDB while the Redis gate
  // was being rebuilt, ends its PENDING record FAILED).
  const heldByBuyer = countBy(
    state.reservations.filter((r) => r.status !== 'FAILED'),
    (r) => r.buyerId,
  );
  const mayHold = countBy(
    reserves.filter((op) => op.outcome !== 'fail'),
    (op) => op.client,
  );
  for (const [buyer, held] of heldByBuyer) {
    const allowed = mayHold.get(buyer) ?? 0;
    if (held > allowed) bad(`buyer ${buyer} has ${held} reservations for ${allowed} ok/unknown reserves`);
  }
  let unknownReservesPresent = 0;
  const unknownReserves = reserves.filter((op) => op.outcome === 'unknown');
  for (const buyer of new Set(unknownReserves.map((op) => op.client))) {
    const ok = reserves.filter((op) => op.client === buyer && op.outcome === 'ok').length;
    unknownReservesPresent += Math.max(0, (heldByBuyer.get(buyer) ?? 0) - ok);
  }

  // ---- orders and tickets -------------------------------------------------------------------------
  const checkouts = history.filter((op): op is CheckoutOp => op.kind === 'checkout');
  const ordersById = new Map(state.orders.map((o) => [o.id, o]));
  const ordersByReservation = new Map<string, (typeof state.orders)[number][]>();
  for (const order of state.orders) {
    ordersByReservation.set(order.reservationId, [
      ...(ordersByReservation.get(order.reservationId) ?? []),
      order,
    ]);
  }
  const confirmed = state.orders.filter((o) => o.status === 'CONFIRMED');
  for (const [reservationId, orders] of ordersByReservation) {
    if (orders.length > 1) bad(`reservation ${reservationId} has ${orders.length} orders (duplicated)`);
  }
  // A refused retry (e.g. TRY_AGAIN while the first attempt is still running) did nothing itself; the order
  // may still come from another attempt with the same idempotency key that was ok or unknown.
  const keysThatMayHaveWritten = new Set(
    checkouts.filter((op) => op.outcome !== 'fail').map((op) => op.idempotencyKey),
  );
  const mayHaveWritten = (key: string) => keysThatMayHaveWritten.has(key);
  for (const op of checkouts) {
    const orders = ordersByReservation.get(op.reservationId) ?? [];
    const done = orders.filter((o) => o.status === 'CONFIRMED');
    if (op.outcome === 'ok') {
      const order = op.orderId ? ordersById.get(op.orderId) : undefined;
      if (!order)
        bad(`checkout ok (key ${op.idempotencyKey}) but order ${op.orderId ?? '?'} is missing (lost)`);
      else if (order.status !== 'CONFIRMED') bad(`checkout ok but order ${order.id} is ${order.status}`);
      else if (order.reservationId !== op.reservationId)
        bad(`order ${order.id} belongs to another reservation`);
    } else if (op.outcome === 'fail' && done.length > 0 && !mayHaveWritten(op.idempotencyKey)) {
      bad(
        `checkout failed (${op.error ?? '?'}, key ${op.idempotencyKey}) but order ${done[0].id} is confirmed`,
      );
    }
  }
  const unknownCheckoutKeys = new Set(
    checkouts.filter((op) => op.outcome === 'unknown').map((op) => op.reservationId),
  );
  const okCheckoutKeys = new Set(checkouts.filter((op) => op.outcome === 'ok').map((op) => op.reservationId));
  let unknownCheckoutsPresent = 0;
  for (const reservationId of unknownCheckoutKeys) {
    if (okCheckoutKeys.has(reservationId)) continue;
    const n = (ordersByReservation.get(reservationId) ?? []).filter((o) => o.status === 'CONFIRMED').length;
    if (n > 1) bad(`unknown checkout of ${reservationId} present ${n} times`);
    unknownCheckoutsPresent += n;
  }
  // Every confirmed order holds exactly its tickets; no ticket without a confirmed order.
  const ticketsByOrder = countBy(state.tickets, (t) => t.orderId);
  const ticketIds = countBy(state.tickets, (t) => t.id);
  for (const [id, n] of ticketIds) if (n > 1) bad(`ticket ${id} stored ${n} times`);
  for (const order of confirmed) {
    const stored = ticketsByOrder.get(order.id) ?? 0;
    if (order.ticketIds.length !== order.quantity || stored !== order.quantity) {
      bad(
        `order ${order.id}: ${order.quantity} bought, ${order.ticketIds.length} listed, ${stored} tickets stored`,
      );
    }
  }
  const confirmedIds = new Set(confirmed.map((o) => o.id));
  for (const [orderId, n] of ticketsByOrder) {
    if (!confirmedIds.has(orderId)) bad(`${n} ticket(s) of order ${orderId}, which is not confirmed`);
  }
  for (const order of state.orders) {
    if (order.status === 'PAYMENT_CAPTURED' || order.status === 'PENDING') {
      bad(`order ${order.id} left ${order.status} (never finished)`);
    }
  }

  // ---- stock --------------------------------------------------------------------------------------
  const inv = state.inventory;
  const soldUnits = confirmed.reduce((sum, o) => sum + o.quantity, 0);
  if (inv.sold + inv.held + inv.available !== inv.capacity) {
    bad(
      `inventory sold ${inv.sold} + held ${inv.held} + available ${inv.available} != capacity ${inv.capacity}`,
    );
  }
  if (inv.sold > state.stock || inv.capacity !== state.stock)
    bad(`oversold: sold ${inv.sold} of ${state.stock}`);
  if (inv.sold !== soldUnits) bad(`inventory sold ${inv.sold} != ${soldUnits} units in confirmed orders`);
  if (state.tickets.length !== soldUnits) bad(`${state.tickets.length} tickets for ${soldUnits} units sold`);
  if (state.expectSoldOut && inv.sold !== state.stock)
    bad(`sold ${inv.sold}, expected exactly ${state.stock}`);
  if (state.pricing) {
    const p = state.pricing;
    if (p.soldTotal !== inv.sold) bad(`pricing soldTotal ${p.soldTotal} != inventory sold ${inv.sold}`);
    if (p.bucketSold !== p.soldTotal)
      bad(`pricing demand buckets sold ${p.bucketSold} != soldTotal ${p.soldTotal}`);
    if (p.heldTotal !== inv.held) bad(`pricing heldTotal ${p.heldTotal} != inventory held ${inv.held}`);
  }

  // ---- scans --------------------------------------------------------------------------------------
  const scans = history.filter((op): op is ScanOp => op.kind === 'scan');
  const logIds = new Set(state.scanLog.map((e) => e.id));
  const checkinByTicket = new Map<string, string[]>();
  for (const c of state.checkins)
    checkinByTicket.set(c.ticketId, [...(checkinByTicket.get(c.ticketId) ?? []), c.entryId]);
  for (const [ticketId, entries] of checkinByTicket) {
    if (entries.length > 1) bad(`ticket ${ticketId} admitted ${entries.length} times`);
  }
  const acceptedEntries = new Map<string, Set<string>>();
  let unknownScansPresent = 0;
  for (const op of scans) {
    const entryId = scanEntryId(op.eventId, op.deviceId, op.nonce);
    if (op.outcome === 'ok') {
      if (!logIds.has(entryId))
        bad(`scan ok (${op.result ?? '?'}) of ${op.ticketId} missing from the scan log`);
      if (op.result === 'ACCEPTED') {
        const set = acceptedEntries.get(op.ticketId) ?? new Set<string>();
        set.add(entryId);
        acceptedEntries.set(op.ticketId, set);
        const admitted = checkinByTicket.get(op.ticketId) ?? [];
        if (!admitted.includes(entryId))
          bad(`scan ACCEPTED for ${op.ticketId} but its check-in record is another or missing`);
      }
    } else if (op.outcome === 'fail' && logIds.has(entryId)) {
      bad(`scan failed (${op.error ?? '?'}) of ${op.ticketId} but it is in the scan log`);
    } else if (op.outcome === 'unknown' && logIds.has(entryId)) {
      unknownScansPresent += 1;
    }
  }
  for (const [ticketId, entries] of acceptedEntries) {
    if (entries.size > 1) bad(`ticket ${ticketId} answered ACCEPTED to ${entries.size} different scans`);
  }
  if (state.attendance) {
    const a = state.attendance;
    if (a.admitted !== state.checkins.length)
      bad(`attendance admitted ${a.admitted} != ${state.checkins.length} check-ins`);
    // conflicts are already in repeats: adding them again would count every offline conflict twice.
    const counted = a.admitted + (a.reentries ?? 0) + (a.exits ?? 0) + a.repeats + a.refused;
    if (counted !== state.scanLog.length)
      bad(`attendance counts ${counted} scans, the scan log holds ${state.scanLog.length}`);
    if (a.conflicts > a.repeats)
      bad(`attendance conflicts ${a.conflicts} exceed its repeats ${a.repeats} (a conflict is a repeat)`);
  } else if (state.scanLog.length > 0) {
    bad(`no attendance counters for ${state.scanLog.length} logged scans`);
  }

  // ---- what clients were told ----------------------------------------------------------------------
  // A fault is an outage, not a defect: every answer to it is a retryable or definite code, never
  // INTERNAL_SERVER_ERROR (which tells a client nothing it can act on).
  const internal = history.filter((op) => op.error === 'INTERNAL_SERVER_ERROR');
  if (internal.length > 0)
    bad(
      `${internal.length} answers were INTERNAL_SERVER_ERROR (first: ${internal[0].kind} by ${internal[0].client})`,
    );

  // ---- outboxes and services ----------------------------------------------------------------------
  for (const [where, n] of Object.entries(state.outboxPending))
    if (n > 0) bad(`outbox not drained: ${where} ${n}`);
  for (const [service, ready] of Object.entries(state.ready))
    if (!ready) bad(`${service} not ready at the end`);

  const all = history.length;
  const by = (o: Outcome) => history.filter((op) => op.outcome === o).length;
  const figures = {
    ops: all,
    ok: by('ok'),
    fail: by('fail'),
    unknown: by('unknown'),
    sold: inv.sold,
    stock: state.stock,
    held: inv.held,
    orders: confirmed.length,
    tickets: state.tickets.length,
    okCheckouts: checkouts.filter((op) => op.outcome === 'ok').length,
    unknownPresent: unknownReservesPresent + unknownCheckoutsPresent + unknownScansPresent,
    scans: scans.length,
    admitted: state.checkins.length,
    attendance: state.attendance?.admitted ?? 0,
    violations: violations.length,
  };
  // What the clients were told when not ok, most frequent first (e.g. "timeout 12, SOLD_OUT 30").
  const errors = [
    ...countBy(
      history.filter((op) => op.outcome !== 'ok'),
      (op) => op.error ?? '?',
    ),
  ]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const line =
    `${fault}: ${violations.length === 0 ? 'PASS' : 'FAIL'} ops ${all} (ok ${figures.ok}, fail ${figures.fail}, ` +
    `unknown ${figures.unknown}, unknown present ${figures.unknownPresent}); sold ${inv.sold}/${state.stock}, ` +
    `held ${inv.held}, orders ${confirmed.length}, tickets ${state.tickets.length}; scans ${scans.length}, ` +
    `admitted ${state.checkins.length} (counter ${figures.attendance}); errors: ${errors || 'none'}; ` +
    `violations ${violations.length}` +
    (violations.length
      ? `: ${violations.slice(0, 3).join('; ')}${violations.length > 3 ? '; ...' : ''}`
      : '');
  return { fault, violations, figures, line };
}

/** How the fault suite sorts a client's result: a definite refusal is `fail`, anything that may have written is `unknown`. */
export function classifyError(code: string | undefined, status?: number): Outcome {
  // Load shedding answers 503/429 with TRY_AGAIN / RATE_LIMITED: the code, not the status, says nothing was done.
  if (status !== undefined && status >= 500 && code !== 'TRY_AGAIN') return 'unknown';
  // Answers that say the request was refused before anything was written.
  const definite = new Set([
    'BAD_USER_INPUT',
    'UNAUTHENTICATED',
    'FORBIDDEN',
    'NOT_FOUND',
    'CONFLICT',
    'SOLD_OUT',
    'HOLD_EXPIRED',
    'PAYMENT_DECLINED',
    'RATE_LIMITED',
    // "nothing was charged" / "nothing was done" by contract (packages/platform/src/graphql/error-codes.ts)
    'PAYMENT_PROVIDER_ERROR',
    'TRY_AGAIN',
  ]);
  return code && definite.has(code) ? 'fail' : 'unknown';
}
