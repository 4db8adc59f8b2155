import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
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
export class CheckinOutbox implements OnModuleInit, OnApplicationShutdown {
  private readonly loops = new Map<OutboxCollection, OutboxRegistration>();
  private readonly pending = new Map<OutboxCollection, NodeJS.Timeout>();

  constructor(
    private readonly relay: OutboxRelay,
    @InjectModel(CHECKIN) private readonly checkins: Model<CheckinDoc>,
    @InjectModel(SCAN_ENTRY) private readonly entries: Model<ScanEntryDoc>,
  ) {}

  onModuleInit(): void {
    this.loops.set('checkins', this.relay.register(this.checkins, { pollMs: POLL_MS }));
    this.loops.set('scan_log', this.relay.register(this.entries, { pollMs: POLL_MS }));
  }

  nudge(collection: OutboxCollection): void {
    if (this.pending.has(collection)) return;
    const timer = setTimeout(() => {
      this.pending.delete(collection);
      this.loops.get(collection)?.nudge();
    }, NUDGE_COALESCE_MS);
    timer.unref();
    this.pending.set(collection, timer);
  }

  onApplicationShutdown(): void {
    for (const timer of this.pending.values()) clearTimeout(timer);
    this.pending.clear();
  }
}
