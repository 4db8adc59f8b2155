import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { TOPICS } from '@ticketing/contracts';
import { KafkaService, type ConsumerHandle } from '@ticketing/platform';
import { AttendanceService } from './attendance.service';

export const ATTENDANCE_GROUP = 'checkin-attendance';

/** Folds checkin.recorded into the attendance counters (the platform skips envelope ids already handled). */
@Injectable()
export class AttendanceConsumer implements OnApplicationBootstrap {
  private handle?: ConsumerHandle;

  constructor(
    private readonly kafka: KafkaService,
    private readonly attendance: AttendanceService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.handle = await this.kafka.consume({
      groupId: ATTENDANCE_GROUP,
      topics: [TOPICS.checkins],
      fromBeginning: true,
      handler: async (envelope, ctx) => {
        if (envelope.type !== 'checkin.recorded') return;
        await this.attendance.fold(envelope.data, ctx.partition, Number(ctx.offset));
      },
    });
  }

  async stop(): Promise<void> {
    await this.handle?.stop();
  }
}
