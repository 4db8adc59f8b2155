import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { CheckinRecordedData } from '@ticketing/contracts';
import {
  deriveDisplaySecret,
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
import { scanEntryIdFor } from '../common/ids';
import type { CheckinConfig } from '../config';
import { TicketKeysClient } from '../keys/ticket-keys.client';
import { CheckinEventAccess } from '../replica/event-access.service';
import { ReplicaService } from '../replica/replica.service';
import type { EventReplicaDoc } from '../replica/schemas/event-replica.schema';
import type { TicketReplicaDoc } from '../replica/schemas/ticket-replica.schema';
import { ScanMethod, ScanResult, type ScanOutcome } from './models/scan.model';
import { CHECKIN, type CheckinDoc } from './schemas/checkin.schema';
import { SCAN_ENTRY, type ScanEntryDoc, type ScanResultValue } from './schemas/scan-entry.schema';

/** How long the Redis first-scan gate of a ticket lives (MongoDB stays the truth after that). */
const GATE_TTL_SECONDS = 7 * 24 * 3600;

export interface ScanRequest {
  eventId: string;
  code: string;
  gateId: string;
  deviceId: string;
  nonce: string;
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
}

type Admission = { admitted: true } | { admitted: false; first: Pick<CheckinDoc, 'at' | 'gateId'> };

/** checkin.recorded's result for each scan result. */
const CONTRACT_RESULT: Record<ScanResultValue, CheckinRecordedData['result']> = {
  ACCEPTED: 'ADMITTED',
  ALREADY_CHECKED_IN: 'ALREADY_ADMITTED',
  REVOKED: 'REVOKED',
  WRONG_EVENT: 'WRONG_EVENT',
  INVALID: 'INVALID_CODE',
  NOT_YET_OPEN: 'NOT_YET_OPEN',
};

/**
 * A scan, decided from the local replica alone (no call to the ticket service):
 * 1. same (event, device, nonce) seen before → its stored answer, nothing written;
 * 2. the code: a T1 QR token (Ed25519, the ticket service's published keys) or a D1 display code
 *    (HMAC under the HKDF-derived per-ticket secret, ±1 time step) → INVALID / WRONG_EVENT / REVOKED /
 *    NOT_YET_OPEN, or a candidate for admission;
 * 3. first scan wins: Redis `SET NX` on the ticket answers most repeats without a write, and the insert of
 *    the check-in record (`_id` = ticket id, unique) decides, so a Redis flush never admits twice;
 * 4. the attempt goes into the entry log (with its checkin.recorded in the same insert, or, for an
 *    admission, in the check-in record's).
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
    const entryId = scanEntryIdFor(event._id, request.deviceId, request.nonce);
    const previous = await this.entries.findById(entryId).lean<ScanEntryDoc>().exec();
    if (previous) return toOutcome(previous);

    const decision = await this.decide(event, request.code, at);
    let result = decision.result;
    let reason = decision.reason;
    let first: Pick<CheckinDoc, 'at' | 'gateId'> | null = null;
    if (result === 'ACCEPTED') {
      const admission = await this.admit(user, event, decision, request, entryId, at, offline);
      if (!admission.admitted) {
        result = 'ALREADY_CHECKED_IN';
        reason = 'ALREADY_CHECKED_IN';
        first = admission.first;
      }
    }

    const entry: ScanEntryDoc = {
      _id: entryId,
      eventId: event._id,
      ticketId: decision.ticketId,
      generation: decision.generation,
      result,
      reason,
      gateId: request.gateId,
      deviceId: request.deviceId,
      scannedBy: user.id,
      at,
      method: decision.method,
      holderName: decision.ticket?.holderName ?? null,
      ticketTypeName: decision.ticket?.ticketTypeName ?? null,
      firstAt: first?.at ?? null,
      firstGateId: first?.gateId ?? null,
      offline,
      recordedAt: new Date(),
      outbox: [],
      outboxLeaseUntil: null,
    };
    // An admission's event is already in its check-in record's outbox.
    if (result !== 'ACCEPTED') entry.outbox = [this.recorded(entry)];
    try {
      await this.entries.create(entry);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      // The same scan resent while this one ran: one answer for both.
      const stored = await this.entries.findById(entryId).lean<ScanEntryDoc>().exec();
      if (stored) return toOutcome(stored);
      throw error;
    }
    if (result !== 'ACCEPTED') this.outbox.nudge('scan_log');
    return toOutcome(entry);
  }

  /** What the code says about admission at `at`, from the replica and the keys alone. */
  async decide(event: EventReplicaDoc, rawCode: string, at: Date): Promise<Decision> {
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
      if (!verifyDisplayCode(secret, parsed.code, at.getTime()))
        return refused('INVALID', 'EXPIRED_CODE', method);
      ticketId = parsed.ticketId;
      generation = parsed.generation;
    } else {
      return refused('INVALID', 'UNREADABLE_CODE', null);
    }

    const ticket = await this.replica.findTicket(ticketId);
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
    if (generation <= ticket.revokedUpTo || generation < ticket.generation)
      return known('REVOKED', 'OLD_GENERATION');
    // A genuine code newer than the replica knows: its transfer has not arrived yet.
    if (generation > ticket.generation) return known('INVALID', 'UNKNOWN_GENERATION');
    const doorsOpen = (event.startsAt?.getTime() ?? 0) - this.config.DOORS_OPEN_MINUTES * 60_000;
    if (at.getTime() < doorsOpen) return known('NOT_YET_OPEN', 'DOORS_CLOSED');
    return known('ACCEPTED', null);
  }

  /** First scan wins: the Redis gate answers repeats cheaply, the unique check-in record decides. */
  private async admit(
    user: AuthUser,
    event: EventReplicaDoc,
    decision: Decision,
    request: ScanRequest,
    entryId: string,
    at: Date,
    offline: boolean,
  ): Promise<Admission> {
    const ticketId = decision.ticketId!;
    const key = this.redis.key('checkin', 'first', ticketId);
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
      if (existing)
        return existing.entryId === entryId ? { admitted: true } : { admitted: false, first: existing };
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
      outbox: [],
      outboxLeaseUntil: null,
    };
    doc.outbox = [
      this.recorded({
        _id: entryId,
        eventId: event._id,
        ticketId,
        generation: doc.generation,
        result: 'ACCEPTED',
        gateId: request.gateId,
        deviceId: request.deviceId,
        scannedBy: user.id,
        at,
        method: doc.method,
        offline,
      }),
    ];
    try {
      await this.checkins.create(doc);
      this.outbox.nudge('checkins');
      return { admitted: true };
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await this.checkins.findById(ticketId).lean<CheckinDoc>().exec();
      if (!existing) throw error;
      // Redis had lost the gate (flush, restart): put the winner back for the next scans.
      await this.redis.client.set(key, existing.entryId, 'EX', GATE_TTL_SECONDS).catch(() => undefined);
      return existing.entryId === entryId ? { admitted: true } : { admitted: false, first: existing };
    }
  }

  private recorded(
    entry: Pick<
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
    > & { reason?: string | null },
  ) {
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
    });
  }
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
  };
}
