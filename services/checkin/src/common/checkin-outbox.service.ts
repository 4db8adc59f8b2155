import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { OutboxRelay, type OutboxRegistration } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CHECKIN, type CheckinDoc } from '../scans/schemas/checkin.schema';
import { SCAN_ENTRY, type ScanEntryDoc } from '../scans/schemas/scan-entry.schema';

export type OutboxCollection = 'checkins' | 'scan_log';

/** Idle poll of each relay loop; writers nudge, so this only bounds a crashed writer's delay. */
const POLL_MS = 1_000;
/** Nudges within this window wake a loop once (one relay round per burst of scans). */
const NUDGE_COALESCE_MS = 20;

/** The outbox relay loops of check-in records (admissions) and entry-log rows (refused scans). */
@Injectable()
export class CheckinOutbox implements OnModuleInit {
  private readonly loops = new Map<OutboxCollection, OutboxRegistration>();

  constructor(
    private readonly relay: OutboxRelay,
    @InjectModel(CHECKIN) private readonly checkins: Model<CheckinDoc>,
    @InjectModel(SCAN_ENTRY) private readonly entries: Model<ScanEntryDoc>,
  ) {}

  onModuleInit(): void {
    const options = { pollMs: POLL_MS, nudgeCoalesceMs: NUDGE_COALESCE_MS };
    this.loops.set('checkins', this.relay.register(this.checkins, options));
    this.loops.set('scan_log', this.relay.register(this.entries, options));
  }

  nudge(collection: OutboxCollection): void {
    this.loops.get(collection)?.nudge();
  }
}
