import { Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { safeValidateEnvelope, TOPICS, type CheckinRecordedData } from '@ticketing/contracts';
import { getLogger, InjectConfig, KafkaService } from '@ticketing/platform';
import { Kafka, logLevel, type Consumer, type EachBatchPayload } from 'kafkajs';
import type { CheckinConfig } from '../config';
import { AttendanceService, type DeliveredRecord } from './attendance.service';

export const ATTENDANCE_GROUP = 'checkin-attendance';

/** Waits between attempts of a batch whose fold failed (MongoDB or Redis away), doubling up to the cap. */
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 5_000;
/** Records folded (and committed) at a time. */
const MAX_SLICE = 500;

/**
 * Folds checkin.recorded into the attendance counters one Kafka batch at a time: per batch one read of the
 * ids already handled, one guarded `$inc` per event, one insert of the batch's ids, one offset commit (the
 * platform's consumer handles one record at a time, three database writes and a commit each, which fell
 * tens of seconds behind a gate rush). The guarantees are the same: the fold is guarded by the stored
 * offset (crash between the write and the commit), relay duplicates are skipped by envelope id, and the
 * commit follows the fold, so a crash re-delivers and never skips. Group `checkin-attendance` as before,
 * so the committed position carries over.
 */
@Injectable()
export class AttendanceConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = getLogger('attendance-consumer');
  private consumer?: Consumer;
  private readonly stopping = new AbortController();

  constructor(
    @InjectConfig() private readonly config: CheckinConfig,
    private readonly kafka: KafkaService,
    private readonly attendance: AttendanceService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.kafka.topicPrefix;
    const groupId = prefix + ATTENDANCE_GROUP;
    const client = new Kafka({
      clientId: `${this.config.KAFKA_CLIENT_ID || this.config.SERVICE_NAME}-attendance`,
      brokers: this.config.KAFKA_BROKERS,
      connectionTimeout: 1_000,
      requestTimeout: 10_000,
      logLevel: logLevel.NOTHING,
    });
    const consumer = client.consumer({
      groupId,
      sessionTimeout: 15_000,
      rebalanceTimeout: 15_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: this.kafka.fetchWaitMs,
      allowAutoTopicCreation: false,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 5_000 },
    });
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.log.error({ err: payload.error, restart: payload.restart }, 'attendance consumer crashed'),
    );
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [prefix + TOPICS.checkins], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(groupId, payload),
    });
  }

  private async eachBatch(groupId: string, payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    if (batch.messages.length === 0) return;
    const records: DeliveredRecord[] = [];
    for (const message of batch.messages) {
      const envelope = decode(message.value);
      if (!envelope) {
        this.log.warn(
          { partition: batch.partition, offset: message.offset },
          'unreadable checkin.recorded, skipped',
        );
        continue;
      }
      if (envelope.type !== 'checkin.recorded') continue;
      records.push({
        id: envelope.id,
        offset: Number(message.offset),
        data: envelope.data as CheckinRecordedData,
      });
    }
    // Long batches (a replica catching up) in slices, each folded and committed before the next.
    for (let start = 0; start < batch.messages.length; start += MAX_SLICE) {
      const slice = batch.messages.slice(start, start + MAX_SLICE);
      const first = Number(slice[0]!.offset);
      const last = Number(slice[slice.length - 1]!.offset);
      const mine = records.filter((r) => r.offset >= first && r.offset <= last);
      if (!(await this.foldWithRetry(groupId, payload, mine))) return;
      this.kafka.afterWrite(TOPICS.checkins, mine.length); // test-only crash window (tests/faults)
      payload.resolveOffset(String(last));
      await payload.commitOffsetsIfNecessary({
        topics: [
          { topic: batch.topic, partitions: [{ partition: batch.partition, offset: String(last + 1) }] },
        ],
      });
      await payload.heartbeat().catch(() => undefined);
    }
  }

  /** Folds until it succeeds (MongoDB or Redis may be away for a while); false when stopping instead. */
  private async foldWithRetry(
    groupId: string,
    payload: EachBatchPayload,
    records: DeliveredRecord[],
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      if (this.stopping.signal.aborted || !payload.isRunning() || payload.isStale()) return false;
      try {
        await this.attendance.foldBatch(groupId, payload.batch.partition, records);
        return true;
      } catch (error) {
        this.log.warn(
          { err: error, attempt, partition: payload.batch.partition },
          'attendance fold failed, retrying',
        );
        await new Promise((resolve) =>
          setTimeout(resolve, Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** (attempt - 1))),
        );
        await payload.heartbeat().catch(() => undefined);
      }
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    // Finishes the batch in progress (or leaves it uncommitted), leaves the group, closes the connections.
    await this.consumer?.disconnect().catch(() => undefined);
  }
}

function decode(value: Buffer | null) {
  if (!value || value.length === 0) return null;
  try {
    const checked = safeValidateEnvelope(JSON.parse(value.toString('utf8')));
    return checked.success ? checked.data : null;
  } catch {
    return null;
  }
}
