import { Module, type Type } from '@nestjs/common';
import {
  createSubgraphModule,
  EVENT_ACCESS,
  JwtAuthModule,
  KafkaModule,
  LiveChannelsModule,
  PlatformModule,
} from '@ticketing/platform';
import { AttendanceConsumer } from './attendance/attendance.consumer';
import { AttendanceResolver } from './attendance/attendance.resolver';
import { AttendanceService } from './attendance/attendance.service';
import { DatabaseModule } from './common/database.module';
import { CHECKIN_SERVICE_NAME, type CheckinConfig } from './config';
import { TicketKeysClient } from './keys/ticket-keys.client';
import { OfflineResolver } from './offline/offline.resolver';
import { OfflineService } from './offline/offline.service';
import { CheckinEventAccess } from './replica/event-access.service';
import { ReplicaConsumer } from './replica/replica.consumer';
import { ReplicaService } from './replica/replica.service';
import { ScanLogService } from './scans/scan-log.service';
import { ScanService } from './scans/scan.service';
import { ScansResolver } from './scans/scans.resolver';

/**
 * The committed subgraph SDL, as `_service { sdl }` prints it; the gateway composes the supergraph from
 * it. test/schema.e2e-spec.ts fails when it differs from what this code generates.
 */
export const CHECKIN_SCHEMA_FILE = 'services/checkin/schema.graphql';

/** The root module of the check-in service for one loaded config. */
export function createAppModule(config: CheckinConfig): Type<unknown> {
  @Module({
    imports: [
      // overload: bounded in-flight scans with fast TRY_AGAIN refusals, so a gate rush beyond what this process
      // sustains is refused in milliseconds (a scanner re-scans) instead of queueing every scan for seconds.
      PlatformModule.forRoot({
        serviceName: CHECKIN_SERVICE_NAME,
        config,
        mongo: true,
        redis: true,
        overload: true,
      }),
      KafkaModule.forRoot(),
      JwtAuthModule.forRoot(),
      createSubgraphModule({ config, subscriptions: true }),
      DatabaseModule,
      LiveChannelsModule,
    ],
    providers: [
      ReplicaService,
      CheckinEventAccess,
      { provide: EVENT_ACCESS, useExisting: CheckinEventAccess },
      ReplicaConsumer,
      TicketKeysClient,
      ScanService,
      ScanLogService,
      ScansResolver,
      AttendanceService,
      AttendanceConsumer,
      AttendanceResolver,
      OfflineService,
      OfflineResolver,
    ],
  })
  class AppModule {}
  return AppModule;
}
