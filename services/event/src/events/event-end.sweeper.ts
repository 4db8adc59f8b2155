import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { getLogger, InjectConfig } from '@ticketing/platform';
import type { EventConfig } from '../config';
import { EventsService } from './events.service';

/** Periodically turns published events whose end has passed into ENDED (announced as `event.updated`). */
@Injectable()
export class EventEndSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = getLogger('event-end-sweeper');
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly events: EventsService,
    @InjectConfig() private readonly config: EventConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.EVENT_END_SWEEP_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(now = new Date()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    try {
      return await this.events.endFinishedEvents(now);
    } catch (error) {
      this.log.warn({ err: error }, 'end-of-event sweep failed');
      return 0;
    } finally {
      this.running = false;
    }
  }
}
