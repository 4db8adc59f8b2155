import { Injectable } from '@nestjs/common';
import { ErrorCode, errorCodeOf, InjectConfig, type AuthUser } from '@ticketing/platform';
import { createHash } from 'node:crypto';
import type { CheckinConfig } from '../config';
import { TicketKeysClient } from '../keys/ticket-keys.client';
import { CheckinEventAccess } from '../replica/event-access.service';
import { ReplicaService } from '../replica/replica.service';
import { heldAtGate } from '../replica/schemas/ticket-replica.schema';
import { ScanResult, type ScanOutcome } from '../scans/models/scan.model';
import { doorsOpenAt, ScanService } from '../scans/scan.service';
import type { SyncScansInput } from './dto/sync-scans.input';
import type { OfflineBundle, SyncScanResult, SyncScansResult } from './models/offline.model';

/** Most tickets one bundle carries (a venue larger than this needs paging, not built yet). */
export const BUNDLE_MAX_TICKETS = 50_000;
/** A device clock may run this far ahead of ours. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

@Injectable()
export class OfflineService {
  constructor(
    @InjectConfig() private readonly config: CheckinConfig,
    private readonly access: CheckinEventAccess,
    private readonly replica: ReplicaService,
    private readonly keys: TicketKeysClient,
    private readonly scans: ScanService,
  ) {}

  async bundle(user: AuthUser, eventId: string): Promise<OfflineBundle> {
    const event = await this.access.requireScanner(user, eventId);
    const tickets = await this.replica.ticketsOfEvent(eventId, BUNDLE_MAX_TICKETS);
    const keys = this.keys.publicKeys();
    const valid = tickets.filter((t) => t.status === 'VALID' && !!t.holderName && !event.cancelled);
    const revocations = tickets
      .filter((t) => t.status === 'REVOKED' || t.revokedUpTo > 0 || event.cancelled)
      .map((t) => {
        const all = t.status === 'REVOKED' || event.cancelled;
        return { ticketId: t._id, generation: all ? t.generation : t.revokedUpTo, all };
      });
    const content = {
      eventId,
      cancelled: event.cancelled,
      startsAt: event.startsAt?.toISOString(),
      endsAt: event.endsAt?.toISOString(),
      doorsOpenAt: doorsOpenAt(event, this.config).toISOString(),
      allowReentry: event.allowReentry ?? false,
      keys: keys.map((k) => k.kid).sort(),
      tickets: valid.map((t) => [t._id, t.generation, t.holderName, t.ticketTypeName, heldAtGate(t)]),
      revocations: revocations.map((r) => [r.ticketId, r.generation, r.all]),
    };
    return {
      eventId,
      version: createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22),
      generatedAt: new Date(),
      doorsOpenAt: doorsOpenAt(event, this.config),
      endsAt: event.endsAt ?? null,
      allowReentry: event.allowReentry ?? false,
      cancelled: event.cancelled,
      keys,
      tickets: valid.map((t) => ({
        ticketId: t._id,
        generation: t.generation,
        holderName: t.holderName!,
        ticketTypeName: t.ticketTypeName ?? '',
        transferPending: heldAtGate(t),
      })),
      revocations,
    };
  }

  /**
   * Scans a device made offline, applied oldest first, each exactly like an online scan at its own time:
   * the first to reach the check-in record wins, a later scan of the same ticket is a conflict (logged,
   * counted, never admitted). Items with an impossible time are refused one by one, nothing recorded.
   */
  async sync(user: AuthUser, input: SyncScansInput): Promise<SyncScansResult> {
    const event = await this.access.requireScanner(user, input.eventId, 'input.eventId');
    const now = Date.now();
    const oldest = now - this.config.OFFLINE_MAX_AGE_HOURS * 3600_000;
    const results: SyncScanResult[] = new Array(input.scans.length);
    const order = input.scans
      .map((scan, index) => ({ scan, index }))
      .sort((a, b) => a.scan.scannedAt.getTime() - b.scan.scannedAt.getTime() || a.index - b.index);
    let accepted = 0;
    let conflicts = 0;
    let rejected = 0;
    for (const { scan, index } of order) {
      const at = scan.scannedAt.getTime();
      const problem =
        at > now + FUTURE_TOLERANCE_MS
          ? 'scannedAt is in the future'
          : at < oldest
            ? `scannedAt is more than ${this.config.OFFLINE_MAX_AGE_HOURS} hours old`
            : null;
      if (problem) {
        rejected += 1;
        results[index] = {
          index,
          nonce: scan.nonce,
          outcome: null,
          conflict: false,
          errorCode: 'BAD_USER_INPUT',
          errorField: `input.scans.${index}.scannedAt`,
          errorMessage: problem,
        };
        continue;
      }
      let outcome: ScanOutcome;
      try {
        outcome = await this.scans.scanFor(
          user,
          event,
          {
            eventId: event._id,
            code: scan.code,
            gateId: scan.gateId,
            deviceId: scan.deviceId,
            nonce: scan.nonce,
            direction: scan.direction ?? 'ENTRY',
          },
          { at: scan.scannedAt, offline: true },
        );
      } catch (error) {
        // A nonce already used for another scan: this item is refused, the others still apply.
        if (errorCodeOf(error) !== ErrorCode.CONFLICT) throw error;
        rejected += 1;
        results[index] = {
          index,
          nonce: scan.nonce,
          outcome: null,
          conflict: false,
          errorCode: ErrorCode.CONFLICT,
          errorField: `input.scans.${index}.nonce`,
          errorMessage: (error as Error).message,
        };
        continue;
      }
      const conflict = outcome.result === ScanResult.ALREADY_CHECKED_IN;
      if (conflict) conflicts += 1;
      if (outcome.result === ScanResult.ACCEPTED) accepted += 1;
      results[index] = {
        index,
        nonce: scan.nonce,
        outcome,
        conflict,
        errorCode: null,
        errorField: null,
        errorMessage: null,
      };
    }
    return { results, accepted, conflicts, rejected };
  }
}
