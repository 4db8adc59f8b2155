import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { CheckinRecordedData } from '@ticketing/contracts';
import {
  appendOutbox,
  conflict,
  deriveDisplaySecret,
  DISPLAY_CODE_STEP_SECONDS,
  getLogger,
  InjectConfig,
  isDuplicateKeyError,
  parseDisplayCode,
  RedisService,
  verifyDisplayCode,
  type AuthUser,
} from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CheckinOutbox } from '../common/checkin-outbox.service';
import { checkinEnvelope } from '../common/envelopes';
import { scanCodeKey, scanEntryIdFor } from '../common/ids';
import type { CheckinConfig } from '../config';
import { TicketKeysClient } from '../keys/ticket-keys.client';
import { CheckinEventAccess } from '../replica/event-access.service';
import { ReplicaService } from '../replica/replica.service';
import type { EventReplicaDoc } from '../replica/schemas/event-replica.schema';
import {
  admittedBeforeTransfer,
  heldAtGate,
  type TicketReplicaDoc,
} from '../replica/schemas/ticket-replica.schema';
import { ScanDirection, ScanMethod, ScanResult, type ScanOutcome } from './models/scan.model';
import { CHECKIN, type CheckinDoc } from './schemas/checkin.schema';
import {
  SCAN_ENTRY,
  type ScanDirectionValue,
  type ScanEntryDoc,
  type ScanResultValue,
} from './schemas/scan-entry.schema';

/** How long the Redis first-scan gate of a ticket lives (MongoDB stays the truth after that). */
const GATE_TTL_SECONDS = 7 * 24 * 3600;

export interface ScanRequest {
  eventId: string;
  code: string;
  gateId: string;
  deviceId: string;
  nonce: string;
  /** Default ENTRY. */
  direction?: ScanDirectionValue;
}

export interface ScanOptions {
  /** When the scan happened (offline scans); default now. */
  at?: Date;
  offline?: boolean;
}

interface Decision {
  result: ScanResultValue;
  reason: string | null;
  ticketId: string | null;
  generation: number | null;
  method: 'QR' | 'ROTATING_CODE' | null;
  ticket: TicketReplicaDoc | null;
  /** A code naming no ticket: its digest (see ScanEntryDoc.codeKey). */
  codeKey?: string;
}

/** When and where the ticket inside now came in (an ALREADY_CHECKED_IN answer shows it). */
type Inside = { at: Date; gateId: string };
type Admission =
  | { admitted: true; reentry: boolean }
  | { admitted: false; reason: 'ALREADY_CHECKED_IN'; first: Inside }
  | { admitted: false; reason: 'REENTRY_NOT_ALLOWED' };
type Exit = { exited: true } | { exited: false; reason: 'NOT_CHECKED_IN' | 'ALREADY_OUTSIDE' };

/** Redis gate value of a ticket that went out (the record says whether it is back in). */
const OUTSIDE = 'out';
/** A rotating code of a time step within the last hour (either side) is "expired"; any other is "wrong". */
const STALE_CODE_STEPS = 3600 / DISPLAY_CODE_STEP_SECONDS;
/** Tries of a guarded return before answering from the record as it stands (each miss means a transition). */
const MAX_RETURN_TRIES = 5;

/** checkin.recorded's result for each scan result. */
const CONTRACT_RESULT: Record<ScanResultValue, CheckinRecordedData['result']> = {
  ACCEPTED: 'ADMITTED',
  ALREADY_CHECKED_IN: 'ALREADY_ADMITTED',
  REVOKED: 'REVOKED',
  WRONG_EVENT: 'WRONG_EVENT',
  INVALID: 'INVALID_CODE',
  NOT_YET_OPEN: 'NOT_YET_OPEN',
  EXITED: 'EXITED',
  REENTRY_NOT_ALLOWED: 'REENTRY_NOT_ALLOWED',
  NOT_INSIDE: 'NOT_INSIDE',
};

/**
 * A scan, decided from the local replica alone (no call to the ticket service):
 * 1. the code: a T1 QR token (Ed25519, the ticket service's published keys) or a D1 display code
 *    (HMAC under the HKDF-derived per-ticket secret, ±1 time step) → INVALID / WRONG_EVENT / REVOKED /
 *    NOT_YET_OPEN, or a candidate for admission;
 * 2. same (event, device, nonce) seen before → its stored answer, nothing written (a candidate reads its
 *    log entry first; a refusal finds it when its own insert collides);
 * 3. first scan wins: Redis `SET NX` on the ticket answers most repeats without a write, and the insert of
 *    the check-in record (`_id` = ticket id, unique) decides, so a Redis flush never admits twice;
 * 4. the attempt goes into the entry log (with its checkin.recorded in the same insert, or, for an
 *    admission or an exit, in the check-in record's write).
 * With re-entry (the event's `allowReentry`), an EXIT scan turns the record's `inside` off and the next ENTRY
 * turns it back on, each one guarded write on the record's state and version (see the check-in schema).
 */
@Injectable()
export class ScanService {
  private readonly log = getLogger('scan');

  constructor(
    @InjectModel(CHECKIN) private readonly checkins: Model<CheckinDoc>,
    @InjectModel(SCAN_ENTRY) private readonly entries: Model<ScanEntryDoc>,
    @InjectConfig() private readonly config: CheckinConfig,
    private readonly access: CheckinEventAccess,
    private readonly replica: ReplicaService,
    private readonly keys: TicketKeysClient,
    private readonly redis: RedisService,
    private readonly outbox: CheckinOutbox,
  ) {}

  async scan(user: AuthUser, request: ScanRequest): Promise<ScanOutcome> {
    const event = await this.access.requireScanner(user, request.eventId, 'input.eventId');
    return this.scanFor(user, event, request);
  }

  /** A scan for an event `user` was already authorized for. */
  async scanFor(
    user: AuthUser,
    event: EventReplicaDoc,
    request: ScanRequest,
    options: ScanOptions = {},
  ): Promise<ScanOutcome> {
    const at = options.at ?? new Date();
    const offline = options.offline ?? false;
    const direction = request.direction ?? 'ENTRY';
    const entryId = scanEntryIdFor(event._id, request.deviceId, request.nonce);
    const decision = await this.decide(event, request.code, at, direction, offline);
    if (!decision.ticketId) decision.codeKey = scanCodeKey(request.code);
    // A refusal writes nothing but its log entry, whose unique _id answers a resend with the first answer
    // (below). A scan that may admit or let out looks for an earlier answer first: the same nonce must not
    // act again (an exit resent after the ticket came back, a NOT_YET_OPEN resent once the doors opened).
    if (decision.result === 'ACCEPTED') {
      const previous = await this.entries.findById(entryId).lean<ScanEntryDoc>().exec();
      if (previous) return resent(previous, decision, direction);
    }
    let result = decision.result;
    let reason = decision.reason;
    let first: Inside | null = null;
    let reentry = false;
    const scan = { user, event, decision, request, entryId, at, offline };
    if (result === 'ACCEPTED' && direction === 'ENTRY') {
      const admission = await this.admit(scan);
      if (admission.admitted) {
        reentry = admission.reentry;
      } else {
        result = admission.reason;
        reason = admission.reason;
        if (admission.reason === 'ALREADY_CHECKED_IN') first = admission.first;
      }
    } else if (result === 'ACCEPTED') {
      if (!event.allowReentry) {
        result = 'REENTRY_NOT_ALLOWED';
        reason = 'REENTRY_NOT_ALLOWED';
      } else {
        const exit = await this.exit(scan);
        result = exit.exited ? 'EXITED' : 'NOT_INSIDE';
        reason = exit.exited ? null : exit.reason;
      }
    }

    const entry: ScanEntryDoc = {
      _id: entryId,
      eventId: event._id,
      ticketId: decision.ticketId,
      generation: decision.generation,
      ...(decision.codeKey ? { codeKey: decision.codeKey } : {}),
      result,
      reason,
      gateId: request.gateId,
      deviceId: request.deviceId,
      scannedBy: user.id,
      at,
      method: decision.method,
      // Only for the code of the ticket's current holder: whoever shows a replaced code (a transfer's old QR) is
      // not told, nor shown at the gate, the name of the person the ticket now belongs to.
      holderName: isCurrentCode(decision) ? (decision.ticket?.holderName ?? null) : null,
      ticketTypeName: decision.ticket?.ticketTypeName ?? null,
      firstAt: first?.at ?? null,
      firstGateId: first?.gateId ?? null,
      offline,
      direction,
      reentry,
      recordedAt: new Date(),
      outbox: [],
      outboxLeaseUntil: null,
    };
    // An admission's or an exit's event is already in its check-in record's outbox.
    const inRecord = result === 'ACCEPTED' || result === 'EXITED';
    if (!inRecord) entry.outbox = [this.recorded(entry)];
    try {
      await this.entries.create(entry);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // The same scan resent while this one ran: one answer for both.
      const stored = await this.entries.findById(entryId).lean<ScanEntryDoc>().exec();
      if (!stored) throw error;
      // An admission or exit is already written in its check-in record: it happened, and is told so.
      if (inRecord && !isSameScan(stored, decision, direction)) return toOutcome(entry);
      return resent(stored, decision, direction);
    }
    if (!inRecord) this.outbox.nudge('scan_log');
    return toOutcome(entry);
  }

  /**
   * What the code says about admission at `at`, from the replica and the keys alone. `offline`: a scan a
   * device made at `at` without the network (a transfer offer made after it did not hold it).
   */
  async decide(
    event: EventReplicaDoc,
    rawCode: string,
    at: Date,
    direction: ScanDirectionValue = 'ENTRY',
    offline = false,
  ): Promise<Decision> {
    const code = rawCode.trim();
    const refused = (
      result: ScanResultValue,
      reason: string,
      method: Decision['method'],
      ticketId: string | null = null,
      generation: number | null = null,
      ticket: TicketReplicaDoc | null = null,
    ): Decision => ({ result, reason, method, ticketId, generation, ticket });

    let ticketId: string;
    let generation: number;
    let method: 'QR' | 'ROTATING_CODE';
    if (code.startsWith('T1.')) {
      method = 'QR';
      const claims = await this.keys.verify(code);
      if (!claims) return refused('INVALID', 'BAD_SIGNATURE', method);
      if (claims.eventId !== event._id)
        return refused('WRONG_EVENT', 'OTHER_EVENT', method, claims.ticketId, claims.generation);
      ticketId = claims.ticketId;
      generation = claims.generation;
    } else if (code.startsWith('D1.')) {
      method = 'ROTATING_CODE';
      const parsed = parseDisplayCode(code);
      if (!parsed) return refused('INVALID', 'MALFORMED_CODE', method);
      const secret = deriveDisplaySecret(
        this.config.DISPLAY_CODE_MASTER_KEY,
        parsed.ticketId,
        parsed.generation,
      );
      if (!verifyDisplayCode(secret, parsed.code, at.getTime())) {
        // Genuine for another time step of the last hour: the holder's screen is stale (a screenshot, a
        // frozen page), and refreshing helps. Anything else was mistyped or made up.
        const stale = verifyDisplayCode(
          secret,
          parsed.code,
          at.getTime(),
          DISPLAY_CODE_STEP_SECONDS,
          STALE_CODE_STEPS,
        );
        return stale
          ? refused('INVALID', 'EXPIRED_CODE', method, parsed.ticketId, parsed.generation)
          : refused('INVALID', 'WRONG_CODE', method);
      }
      ticketId = parsed.ticketId;
      generation = parsed.generation;
    } else {
      return refused('INVALID', 'UNREADABLE_CODE', null);
    }

    // A genuine code (its signature or HMAC checked) of a ticket this replica has not heard of yet: issued a
    // moment ago (a buyer at the door). Its ticket.issued is on its way: wait for it a little, online only.
    const ticket = offline ? await this.replica.findTicket(ticketId) : await this.ticketSoon(ticketId);
    if (!ticket || !ticket.holderName)
      return refused('INVALID', 'UNKNOWN_TICKET', method, ticketId, generation);
    if (ticket.eventId !== event._id)
      return refused('WRONG_EVENT', 'OTHER_EVENT', method, ticketId, generation);
    const known = (result: ScanResultValue, reason: string | null): Decision => ({
      result,
      reason,
      method,
      ticketId,
      generation,
      ticket,
    });
    if (event.cancelled) return known('REVOKED', 'EVENT_CANCELLED');
    if (ticket.status === 'REVOKED') return known('REVOKED', ticket.revokedReason ?? 'REVOKED');
    if (generation <= ticket.revokedUpTo || generation < ticket.generation) {
      // Offline, before the holder offered it away, this code admitted: the ticket was used then (a later
      // scan of the new holder's code finds it inside; if they came in first, this one is the conflict).
      if (!(offline && admittedBeforeTransfer(ticket, generation, at)))
        return known('REVOKED', 'OLD_GENERATION');
    }
    // A genuine code newer than the replica knows: its transfer has not arrived yet.
    if (generation > ticket.generation) return known('INVALID', 'UNKNOWN_GENERATION');
    // Offered to someone else: held until the holder withdraws the offer or the recipient's code replaces it.
    // (Leaving is never held.)
    if (direction === 'ENTRY' && heldAtGate(ticket, generation, offline ? at : undefined))
      return known('REVOKED', 'TRANSFER_PENDING');
    // Leaving is never "too early", nor "too late".
    if (direction === 'ENTRY' && at.getTime() < doorsOpenAt(event, this.config).getTime())
      return known('NOT_YET_OPEN', 'DOORS_CLOSED');
    if (direction === 'ENTRY' && event.endsAt && at.getTime() > new Date(event.endsAt).getTime())
      return known('REVOKED', 'EVENT_ENDED');
    return known('ACCEPTED', null);
  }

  /** The ticket's replica row, waiting up to JUST_ISSUED_WAIT_MS for one that has not arrived yet. */
  private async ticketSoon(ticketId: string): Promise<TicketReplicaDoc | null> {
    const deadline = Date.now() + this.config.JUST_ISSUED_WAIT_MS;
    for (let pause = 50; ; pause = Math.min(pause * 2, 250)) {
      const ticket = await this.replica.findTicket(ticketId);
      if ((ticket && ticket.holderName) || Date.now() + pause > deadline) return ticket;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** First scan wins: the Redis gate answers repeats cheaply, the unique check-in record decides. */
  private async admit(scan: Scan): Promise<Admission> {
    const { user, event, decision, request, entryId, at, offline } = scan;
    const ticketId = decision.ticketId!;
    const key = this.gateKey(ticketId);
    let gateTaken = false;
    try {
      const previous = (await this.redis.client.call(
        'SET',
        key,
        entryId,
        'EX',
        String(GATE_TTL_SECONDS),
        'NX',
        'GET',
      )) as string | null;
      gateTaken = previous !== null && previous !== entryId;
    } catch (error) {
      // Redis down: MongoDB alone decides (slower, never wrong).
      this.log.debug({ err: error }, 'first-scan gate unavailable');
    }
    if (gateTaken) {
      const existing = await this.checkins.findById(ticketId).lean<CheckinDoc>().exec();
      if (existing) return this.settle(scan, existing);
      // The gate's winner has not written yet (or crashed before it could): the unique _id decides.
    }
    const doc: CheckinDoc = {
      _id: ticketId,
      eventId: event._id,
      generation: decision.generation!,
      gateId: request.gateId,
      deviceId: request.deviceId,
      scannedBy: user.id,
      at,
      entryId,
      method: decision.method!,
      offline,
      inside: true,
      v: 1,
      entries: 1,
      exits: 0,
      lastEntryAt: at,
      lastEntryGateId: request.gateId,
      exitEntryId: null,
      lastExitAt: null,
      outbox: [this.recorded(this.recordOf(scan, 'ACCEPTED', 'ENTRY', false))],
      outboxLeaseUntil: null,
    };
    try {
      await this.checkins.create(doc);
      this.outbox.nudge('checkins');
      return { admitted: true, reentry: false };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.checkins.findById(ticketId).lean<CheckinDoc>().exec();
      if (!existing) throw error;
      // Redis had lost the gate (flush, restart): put the holder back for the next scans.
      if (existing.inside !== false)
        await this.redis.client.set(key, existing.entryId, 'EX', GATE_TTL_SECONDS).catch(() => undefined);
      return this.settle(scan, existing);
    }
  }

  /**
   * An ENTRY of a ticket that has a check-in record: inside → ALREADY_CHECKED_IN (or ACCEPTED for the
   * scan that admitted it); outside → back in, by one write guarded on (outside, version): when two gates
   * race, one matches and the other re-reads the record, finds the ticket inside and answers so.
   */
  private async settle(scan: Scan, record: CheckinDoc): Promise<Admission> {
    const { event, request, entryId, at } = scan;
    let existing = record;
    for (let attempt = 1; ; attempt++) {
      if (existing.inside !== false) {
        if (existing.entryId === entryId) return { admitted: true, reentry: (existing.entries ?? 1) > 1 };
        return {
          admitted: false,
          reason: 'ALREADY_CHECKED_IN',
          first: {
            at: existing.lastEntryAt ?? existing.at,
            gateId: existing.lastEntryGateId ?? existing.gateId,
          },
        };
      }
      if (!event.allowReentry) return { admitted: false, reason: 'REENTRY_NOT_ALLOWED' };
      const back = await this.checkins
        .updateOne(
          { _id: existing._id, inside: false, v: existing.v ?? 1 },
          {
            $set: { inside: true, entryId, lastEntryAt: at, lastEntryGateId: request.gateId },
            $inc: { v: 1, entries: 1 },
            ...appendOutbox([this.recorded(this.recordOf(scan, 'ACCEPTED', 'ENTRY', true))]),
          },
        )
        .exec();
      if (back.modifiedCount === 1) {
        this.outbox.nudge('checkins');
        await this.redis.client
          .set(this.gateKey(existing._id), entryId, 'EX', GATE_TTL_SECONDS)
          .catch(() => undefined);
        return { admitted: true, reentry: true };
      }
      const fresh = await this.checkins.findById(existing._id).lean<CheckinDoc>().exec();
      if (!fresh) throw new Error(`check-in record ${existing._id} vanished`);
      existing = fresh;
      if (attempt >= MAX_RETURN_TRIES && existing.inside === false) {
        // Out and in again faster than we can write: answer from the record as it stands.
        return {
          admitted: false,
          reason: 'ALREADY_CHECKED_IN',
          first: {
            at: existing.lastEntryAt ?? existing.at,
            gateId: existing.lastEntryGateId ?? existing.gateId,
          },
        };
      }
    }
  }

  /** EXIT (re-entry allowed): inside → outside, one write guarded on "inside", with its checkin.recorded. */
  private async exit(scan: Scan): Promise<Exit> {
    const { event, decision, entryId, at } = scan;
    const ticketId = decision.ticketId!;
    const out = await this.checkins
      .updateOne(
        { _id: ticketId, eventId: event._id, inside: { $ne: false } },
        {
          $set: { inside: false, exitEntryId: entryId, lastExitAt: at },
          $inc: { v: 1, exits: 1 },
          ...appendOutbox([this.recorded(this.recordOf(scan, 'EXITED', 'EXIT', false))]),
        },
      )
      .exec();
    if (out.modifiedCount === 1) {
      this.outbox.nudge('checkins');
      // A hint only (the record decides): the next ENTRY goes straight to the record.
      await this.redis.client
        .set(this.gateKey(ticketId), OUTSIDE, 'EX', GATE_TTL_SECONDS)
        .catch(() => undefined);
      return { exited: true };
    }
    const existing = await this.checkins.findById(ticketId).lean<CheckinDoc>().exec();
    if (!existing) return { exited: false, reason: 'NOT_CHECKED_IN' };
    // The same exit resent after its write (its log entry missing): the same answer.
    if (existing.inside === false && existing.exitEntryId === entryId) return { exited: true };
    return { exited: false, reason: 'ALREADY_OUTSIDE' };
  }

  private gateKey(ticketId: string): string {
    return this.redis.key('checkin', 'first', ticketId);
  }

  /** The entry-log shape of this scan with `result`, for its checkin.recorded. */
  private recordOf(
    scan: Scan,
    result: ScanResultValue,
    direction: ScanDirectionValue,
    reentry: boolean,
  ): RecordedSource {
    const { user, event, decision, request, entryId, at, offline } = scan;
    return {
      _id: entryId,
      eventId: event._id,
      ticketId: decision.ticketId,
      generation: decision.generation,
      result,
      gateId: request.gateId,
      deviceId: request.deviceId,
      scannedBy: user.id,
      at,
      method: decision.method,
      offline,
      direction,
      reentry,
    };
  }

  private recorded(entry: RecordedSource) {
    const cancelled = entry.result === 'REVOKED' && entry.reason === 'EVENT_CANCELLED';
    return checkinEnvelope('checkin.recorded', entry.eventId, {
      checkinId: entry._id,
      // An unreadable code names no ticket.
      ticketId: entry.result === 'INVALID' ? entry.ticketId : entry.ticketId!,
      eventId: entry.eventId,
      generation: entry.generation,
      gate: entry.gateId,
      scannedBy: entry.scannedBy,
      at: entry.at.toISOString(),
      method: entry.method ?? 'QR',
      result: cancelled ? 'EVENT_CANCELLED' : CONTRACT_RESULT[entry.result],
      deviceId: entry.deviceId,
      offline: entry.offline,
      direction: entry.direction ?? 'ENTRY',
      ...(entry.result === 'ACCEPTED' ? { reentry: entry.reentry ?? false } : {}),
    });
  }
}

/** One scan on its way through `admit`/`exit`. */
interface Scan {
  user: AuthUser;
  event: EventReplicaDoc;
  decision: Decision;
  request: ScanRequest;
  entryId: string;
  at: Date;
  offline: boolean;
}

type RecordedSource = Pick<
  ScanEntryDoc,
  | '_id'
  | 'eventId'
  | 'ticketId'
  | 'generation'
  | 'result'
  | 'gateId'
  | 'deviceId'
  | 'scannedBy'
  | 'at'
  | 'method'
  | 'offline'
  | 'direction'
  | 'reentry'
> & { reason?: string | null };

/** When the event's gates open: its own `doorsOpenAt`, else `DOORS_OPEN_MINUTES` before its start. */
export function doorsOpenAt(
  event: Pick<EventReplicaDoc, 'doorsOpenAt' | 'startsAt'>,
  config: Pick<CheckinConfig, 'DOORS_OPEN_MINUTES'>,
): Date {
  if (event.doorsOpenAt) return new Date(event.doorsOpenAt);
  return new Date((event.startsAt?.getTime() ?? 0) - config.DOORS_OPEN_MINUTES * 60_000);
}

/** The code is of the ticket's current generation (not one a transfer or reissue replaced). */
function isCurrentCode(decision: Decision): boolean {
  return decision.ticket !== null && decision.generation === decision.ticket.generation;
}

/**
 * Whether a logged entry is this scan sent again: the same ticket, generation and direction (a display code
 * resent a time step later still is). A nonce names one scan; it never stands for another code.
 */
function isSameScan(entry: ScanEntryDoc, decision: Decision, direction: ScanDirectionValue): boolean {
  return (
    entry.ticketId === decision.ticketId &&
    entry.generation === decision.generation &&
    (entry.codeKey === undefined || entry.codeKey === decision.codeKey) &&
    (entry.direction ?? 'ENTRY') === direction
  );
}

/** The logged answer of a resent scan; CONFLICT on `input.nonce` when the nonce was used for another scan. */
function resent(entry: ScanEntryDoc, decision: Decision, direction: ScanDirectionValue): ScanOutcome {
  if (!isSameScan(entry, decision, direction))
    throw conflict('This nonce was already used for another scan; send a new one', 'input.nonce');
  return toOutcome(entry);
}

export function toOutcome(entry: ScanEntryDoc): ScanOutcome {
  return {
    result: entry.result as ScanResult,
    reason: entry.reason,
    ticketId: entry.ticketId,
    holderName: entry.holderName,
    ticketTypeName: entry.ticketTypeName,
    generation: entry.generation,
    method: entry.method as ScanMethod | null,
    checkedInAt: entry.firstAt,
    checkedInGateId: entry.firstGateId,
    scannedAt: entry.at,
    direction: (entry.direction ?? 'ENTRY') as ScanDirection,
    reentry: entry.reentry ?? false,
  };
}
