import { Global, Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { ATTENDANCE, AttendanceSchema } from '../attendance/schemas/attendance.schema';
import { KNOWN_TICKET_KEY, KnownTicketKeySchema } from '../keys/schemas';
import { EVENT_REPLICA, EventReplicaSchema } from '../replica/schemas/event-replica.schema';
import { TICKET_REPLICA, TicketReplicaSchema } from '../replica/schemas/ticket-replica.schema';
import { CHECKIN, CheckinSchema } from '../scans/schemas/checkin.schema';
import { SCAN_ENTRY, ScanEntrySchema } from '../scans/schemas/scan-entry.schema';
import { CheckinOutbox } from './checkin-outbox.service';

const models = MongooseModule.forFeature([
  { name: EVENT_REPLICA, schema: EventReplicaSchema },
  { name: TICKET_REPLICA, schema: TicketReplicaSchema },
  { name: KNOWN_TICKET_KEY, schema: KnownTicketKeySchema },
  { name: CHECKIN, schema: CheckinSchema },
  { name: SCAN_ENTRY, schema: ScanEntrySchema },
  { name: ATTENDANCE, schema: AttendanceSchema },
]);

/** Every collection the check-in service owns, and the outbox relay loops of the two that publish. */
@Global()
@Module({ imports: [models], providers: [CheckinOutbox], exports: [models, CheckinOutbox] })
export class DatabaseModule {}
