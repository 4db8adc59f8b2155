import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { LiveChannelsModule } from '@ticketing/platform';
import { CatalogModule } from '../catalog/catalog.module';
import { WAITING_ROOM_ENTRY, WaitingRoomEntrySchema } from './schemas/waiting-room-entry.schema';
import { WAITING_ROOM, WaitingRoomSchema } from './schemas/waiting-room.schema';
import { WaitingRoomResolver } from './waiting-room.resolver';
import { WaitingRoomService } from './waiting-room.service';

/** The on-sale waiting room: queue, admission passes, the admitter (see WaitingRoomService). */
@Module({
  imports: [
    CatalogModule,
    LiveChannelsModule,
    MongooseModule.forFeature([
      { name: WAITING_ROOM, schema: WaitingRoomSchema },
      { name: WAITING_ROOM_ENTRY, schema: WaitingRoomEntrySchema },
    ]),
  ],
  providers: [WaitingRoomService, WaitingRoomResolver],
  exports: [WaitingRoomService],
})
export class WaitingRoomModule {}
