// The history checker must be able to fail: a clean history passes, and each kind of broken history or
// state (a lost order, a failed operation that wrote, a duplicate, a double admission, drifted counters,
// an undrained outbox) is caught with a violation that names it.
import { describe, expect, it } from 'vitest';
import { checkHistory, classifyError, scanEntryId, type FinalState, type Op } from './history';

const EVENT = 'e1';

function cleanRun(): { history: Op[]; state: FinalState } {
  const history: Op[] = [
    { kind: 'reserve', client: 'b1', start: 0, end: 5, outcome: 'ok', reservationId: 'r1' },
    { kind: 'reserve', client: 'b2', start: 1, end: 6, outcome: 'ok', reservationId: 'r2' },
    { kind: 'reserve', client: 'b3', start: 2, end: 7, outcome: 'fail', error: 'SOLD_OUT' },
    { kind: 'reserve', client: 'b4', start: 2, end: 900, outcome: 'unknown', error: 'timeout' },
    {
      kind: 'checkout',
      client: 'b1',
      start: 10,
      end: 20,
      outcome: 'ok',
      reservationId: 'r1',
      idempotencyKey: 'k1',
      quantity: 1,
      orderId: 'o1',
    },
    {
      kind: 'checkout',
      client: 'b2',
      start: 10,
      end: 900,
      outcome: 'unknown',
      error: 'socket hang up',
      reservationId: 'r2',
      idempotencyKey: 'k2',
      quantity: 1,
    },
    {
      kind: 'scan',
      client: 'gate-a',
      start: 30,
      end: 35,
      outcome: 'ok',
      result: 'ACCEPTED',
      eventId: EVENT,
      ticketId: 't1',
      deviceId: 'gate-a',
      nonce: 'nonce-0001',
    },
    {
      kind: 'scan',
      client: 'gate-b',
      start: 31,
      end: 36,
      outcome: 'ok',
      result: 'ALREADY_CHECKED_IN',
      eventId: EVENT,
      ticketId: 't1',
      deviceId: 'gate-b',
      nonce: 'nonce-0002',
    },
  ];
  const state: FinalState = {
    stock: 2,
    expectSoldOut: true,
    inventory: { capacity: 2, available: 0, held: 0, sold: 2 },
    reservations: [
      { id: 'r1', buyerId: 'b1' },
      { id: 'r2', buyerId: 'b2' },
    ],
    orders: [
      { id: 'o1', reservationId: 'r1', status: 'CONFIRMED', ticketIds: ['t1'], quantity: 1 },
      { id: 'o2', reservationId: 'r2', status: 'CONFIRMED', ticketIds: ['t2'], quantity: 1 },
    ],
    tickets: [
      { id: 't1', orderId: 'o1' },
      { id: 't2', orderId: 'o2' },
    ],
    checkins: [{ ticketId: 't1', entryId: scanEntryId(EVENT, 'gate-a', 'nonce-0001') }],
    scanLog: [
      { id: scanEntryId(EVENT, 'gate-a', 'nonce-0001'), result: 'ACCEPTED' },
      { id: scanEntryId(EVENT, 'gate-b', 'nonce-0002'), result: 'ALREADY_CHECKED_IN' },
    ],
    attendance: { admitted: 1, repeats: 1, refused: 0, conflicts: 0 },
    pricing: { soldTotal: 2, heldTotal: 0, bucketSold: 2 },
    outboxPending: { 'ticket.orders': 0, 'checkin.checkins': 0 },
    ready: { ticket: true, checkin: true, pricing: true, gateway: true },
  };
  return { history, state };
}

describe('history checker', () => {
  it('passes a clean run and prints one line with its figures', () => {
    const { history, state } = cleanRun();
    const verdict = checkHistory('clean', history, state);
    expect(verdict.violations).toEqual([]);
    expect(verdict.line).toMatch(
      /^clean: PASS ops 8 \(ok 5, fail 1, unknown 2, unknown present 1\); sold 2\/2/,
    );
  });

  it('catches an ok checkout whose order is gone (lost order)', () => {
    const { history, state } = cleanRun();
    state.orders = state.orders.filter((o) => o.id !== 'o1');
    state.tickets = state.tickets.filter((t) => t.orderId !== 'o1');
    state.inventory = { ...state.inventory, sold: 1, available: 1 };
    state.pricing = { soldTotal: 1, heldTotal: 0, bucketSold: 1 };
    const verdict = checkHistory('lost', history, state);
    expect(verdict.line).toMatch(/^lost: FAIL/);
    expect(verdict.violations.join('\n')).toMatch(/order o1 is missing \(lost\)/);
    expect(verdict.violations.join('\n')).toMatch(/sold 1, expected exactly 2/);
  });

  it('catches a failed operation that wrote anyway', () => {
    const { history, state } = cleanRun();
    state.reservations.push({ id: 'r3', buyerId: 'b3' });
    const failedCheckout: Op = {
      kind: 'checkout',
      client: 'b1',
      start: 40,
      end: 41,
      outcome: 'fail',
      error: 'HOLD_EXPIRED',
      reservationId: 'r1',
      idempotencyKey: 'k9',
      quantity: 1,
    };
    const failedScan: Op = {
      kind: 'scan',
      client: 'gate-a',
      start: 42,
      end: 43,
      outcome: 'fail',
      error: 'FORBIDDEN',
      eventId: EVENT,
      ticketId: 't2',
      deviceId: 'gate-a',
      nonce: 'nonce-0009',
    };
    state.scanLog.push({ id: scanEntryId(EVENT, 'gate-a', 'nonce-0009'), result: 'ACCEPTED' });
    // A refused reserve that left only its FAILED record (b4) is fine; b3's live one is not.
    state.reservations.push({ id: 'r4', buyerId: 'b4', status: 'FAILED' });
    const refusedReserve: Op = {
      kind: 'reserve',
      client: 'b4',
      start: 44,
      end: 45,
      outcome: 'fail',
      error: 'SOLD_OUT',
    };
    const text = checkHistory(
      'fail-wrote',
      [...history, failedCheckout, failedScan, refusedReserve],
      state,
    ).violations.join('\n');
    expect(text).toMatch(/buyer b3 has 1 reservations for 0 ok\/unknown reserves/);
    expect(text).not.toMatch(/buyer b4/);
    expect(text).toMatch(/checkout failed \(HOLD_EXPIRED, key k9\) but order o1 is confirmed/);
    expect(text).toMatch(/scan failed \(FORBIDDEN\) of t2 but it is in the scan log/);
  });

  it('lets a refused retry stand beside the order of an earlier unknown attempt with the same key', () => {
    const { history, state } = cleanRun();
    const retry: Op = {
      kind: 'checkout',
      client: 'b2',
      start: 901,
      end: 902,
      outcome: 'fail',
      error: 'TRY_AGAIN',
      reservationId: 'r2',
      idempotencyKey: 'k2',
      quantity: 1,
    };
    expect(checkHistory('retry', [...history, retry], state).violations).toEqual([]);
    // The same refusal under a key no other attempt used is a failed operation that wrote.
    const stray = { ...retry, idempotencyKey: 'k3' };
    expect(checkHistory('stray', [...history, stray], state).violations.join('\n')).toMatch(
      /checkout failed \(TRY_AGAIN, key k3\) but order o2 is confirmed/,
    );
  });

  it('catches duplicates: two orders for one hold, an extra ticket, an oversell', () => {
    const { history, state } = cleanRun();
    state.orders.push({ id: 'o3', reservationId: 'r2', status: 'CONFIRMED', ticketIds: ['t3'], quantity: 1 });
    state.tickets.push({ id: 't3', orderId: 'o3' }, { id: 't4', orderId: 'o1' });
    state.inventory = { capacity: 2, available: -1, held: 0, sold: 3 };
    const text = checkHistory('dup', history, state).violations.join('\n');
    expect(text).toMatch(/reservation r2 has 2 orders \(duplicated\)/);
    expect(text).toMatch(/unknown checkout of r2 present 2 times/);
    expect(text).toMatch(/order o1: 1 bought, 1 listed, 2 tickets stored/);
    expect(text).toMatch(/oversold: sold 3 of 2/);
  });

  it('catches a ticket admitted twice and counters that drifted from the documents', () => {
    const { history, state } = cleanRun();
    state.checkins.push({ ticketId: 't1', entryId: scanEntryId(EVENT, 'gate-b', 'nonce-0002') });
    const second: Op = { ...(history[7] as Extract<Op, { kind: 'scan' }>), result: 'ACCEPTED' };
    state.attendance = { admitted: 3, repeats: 1, refused: 0, conflicts: 0 };
    state.pricing = { soldTotal: 3, heldTotal: 1, bucketSold: 2 };
    const text = checkHistory('double', [...history.slice(0, 7), second], state).violations.join('\n');
    expect(text).toMatch(/ticket t1 admitted 2 times/);
    expect(text).toMatch(/ticket t1 answered ACCEPTED to 2 different scans/);
    expect(text).toMatch(/attendance admitted 3 != 2 check-ins/);
    expect(text).toMatch(/pricing soldTotal 3 != inventory sold 2/);
    expect(text).toMatch(/pricing heldTotal 1 != inventory held 0/);
  });

  it('counts an offline conflict once: conflicts are part of repeats, not added on top', () => {
    // A device offline scanned t1 after gate-a had admitted it; its sync logged an ALREADY_CHECKED_IN
    // that attendance counts as a repeat and, being offline, also as a conflict.
    const { history, state } = cleanRun();
    const synced: Op = {
      kind: 'scan',
      client: 'device-x',
      start: 40,
      end: 41,
      outcome: 'ok',
      result: 'ALREADY_CHECKED_IN',
      eventId: EVENT,
      ticketId: 't1',
      deviceId: 'device-x',
      nonce: 'nonce-0003',
    };
    state.scanLog.push({ id: scanEntryId(EVENT, 'device-x', 'nonce-0003'), result: 'ALREADY_CHECKED_IN' });
    state.attendance = { admitted: 1, repeats: 2, refused: 0, conflicts: 1 };
    expect(checkHistory('offline', [...history, synced], state).violations).toEqual([]);

    // Exits and returns (re-entry events) are scans too, each counted once in its own counter.
    const moves = structuredClone(state);
    moves.scanLog.push({ id: 'exit', result: 'EXITED' }, { id: 'back', result: 'ACCEPTED' });
    moves.attendance = { ...state.attendance, exits: 1, reentries: 1 };
    expect(checkHistory('moves', [...history, synced], moves).violations).toEqual([]);

    // The checker still fails on drift: a conflict counted without its repeat, or the scan missing.
    state.attendance = { admitted: 1, repeats: 1, refused: 0, conflicts: 1 };
    const text = checkHistory('drift', [...history, synced], state).violations.join('\n');
    expect(text).toMatch(/attendance counts 2 scans, the scan log holds 3/);
    expect(text).not.toMatch(/exceed/);
    state.attendance = { admitted: 1, repeats: 0, refused: 0, conflicts: 1 };
    expect(checkHistory('drift', [...history, synced], state).violations.join('\n')).toMatch(
      /attendance conflicts 1 exceed its repeats 0 \(a conflict is a repeat\)/,
    );
  });

  it('catches an outbox left pending, an unfinished order and a service not ready', () => {
    const { history, state } = cleanRun();
    state.outboxPending['ticket.orders'] = 2;
    state.ready.pricing = false;
    state.orders.push({
      id: 'o9',
      reservationId: 'r9',
      status: 'PAYMENT_CAPTURED',
      ticketIds: [],
      quantity: 1,
    });
    const text = checkHistory('stuck', history, state).violations.join('\n');
    expect(text).toMatch(/outbox not drained: ticket.orders 2/);
    expect(text).toMatch(/pricing not ready at the end/);
    expect(text).toMatch(/order o9 left PAYMENT_CAPTURED/);
  });

  it('catches a client told INTERNAL_SERVER_ERROR during a fault', () => {
    const { history, state } = cleanRun();
    history.push({
      kind: 'reserve',
      client: 'b5',
      start: 3,
      end: 40,
      outcome: 'unknown',
      error: 'INTERNAL_SERVER_ERROR',
    });
    const text = checkHistory('internal', history, state).violations.join('\n');
    expect(text).toMatch(/1 answers were INTERNAL_SERVER_ERROR \(first: reserve by b5\)/);
  });

  it('sorts errors: definite refusals fail, anything that may have written is unknown', () => {
    expect(classifyError('SOLD_OUT')).toBe('fail');
    expect(classifyError('TRY_AGAIN')).toBe('fail');
    expect(classifyError('INTERNAL_SERVER_ERROR')).toBe('unknown');
    expect(classifyError('SERVICE_UNAVAILABLE')).toBe('unknown');
    expect(classifyError(undefined)).toBe('unknown');
    expect(classifyError('SOLD_OUT', 502)).toBe('unknown');
    expect(classifyError(undefined, 502)).toBe('unknown');
    expect(classifyError('TRY_AGAIN', 503)).toBe('fail');
  });
});
