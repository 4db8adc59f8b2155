import { Module, type OnModuleInit } from '@nestjs/common';
import { InjectModel, MongooseModule } from '@nestjs/mongoose';
import { OutboxRelay } from '@ticketing/platform';
import type { Model } from 'mongoose';
import { UsersModule } from '../users/users.module';
import { EventCacheService } from './event-cache.service';
import { EventEndSweeper } from './event-end.sweeper';
import { EventViewsService } from './event-views.service';
import { EventsQueryService } from './events-query.service';
import { EventsResolver } from './events.resolver';
import { EventsService } from './events.service';
import { EVENT_MODEL, EventSchema, type EventRecord } from './schemas/event.schema';
import { TicketTypesResolver } from './ticket-types.resolver';
import { UserRegisteredConsumer } from './user-registered.consumer';

@Module({
  imports: [MongooseModule.forFeature([{ name: EVENT_MODEL, schema: EventSchema }]), UsersModule],
  providers: [
    EventsService,
    EventsQueryService,
    EventCacheService,
    EventViewsService,
    EventsResolver,
    TicketTypesResolver,
    UserRegisteredConsumer,
    EventEndSweeper,
  ],
  exports: [
    EventsService,
    EventsQueryService,
    EventCacheService,
    EventViewsService,
    UserRegisteredConsumer,
    EventEndSweeper,
  ],
})
export class EventsModule implements OnModuleInit {
  constructor(
    private readonly relay: OutboxRelay,
    @InjectModel(EVENT_MODEL) private readonly events: Model<EventRecord>,
  ) {}

  onModuleInit(): void {
    // Envelopes queued in event documents go to the topic the contracts registry assigns to their type.
    this.relay.register(this.events);
  }
}
