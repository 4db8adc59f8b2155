import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { KafkaService } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { CHECKIN, type CheckinDoc } from '../scans/schemas/checkin.schema';
import { SCAN_ENTRY, type ScanEntryDoc } from '../scans/schemas/scan-entry.schema';
import { BatchOutboxRelay, type BatchOutboxDoc, type BatchRelayOptions } from './batch-outbox.relay';

export type OutboxCollection = 'checkins' | 'scan_log';

const RELAY_OPTIONS: BatchRelayOptions = {
  // Idle poll of each loop, doubling while nothing is found; writers nudge, so this only bounds another
  // replica's or a crashed writer's delay.
  pollMs: 1_000,
  maxPollMs: 5_000,
  // Nudges within this window start one round: one round per burst of scans, not one per scan.
  coalesceMs: 20,
  maxDocs: 200,
  leaseMs: 30_000,
};

/** The outbox relay loops of check-in records (admissions, exits, returns) and entry-log rows (the rest). */
@Injectable()
export class CheckinOutbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly loops = new Map<OutboxCollection, BatchOutboxRelay>();

  constructor(
    kafka: KafkaService,
    @InjectModel(CHECKIN) checkins: Model<CheckinDoc>,
    @InjectModel(SCAN_ENTRY) entries: Model<ScanEntryDoc>,
  ) {
    const asOutbox = (model: Model<CheckinDoc> | Model<ScanEntryDoc>) =>
      model as unknown as Model<BatchOutboxDoc>;
    this.loops.set('checkins', new BatchOutboxRelay(asOutbox(checkins), kafka, RELAY_OPTIONS));
    this.loops.set('scan_log', new BatchOutboxRelay(asOutbox(entries), kafka, RELAY_OPTIONS));
  }

  onApplicationBootstrap(): void {
    for (const loop of this.loops.values()) loop.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.loops.values()].map((loop) => loop.stop()));
  }

  nudge(collection: OutboxCollection): void {
    this.loops.get(collection)?.nudge();
  }
}
