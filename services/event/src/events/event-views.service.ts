import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { newEnvelope } from '@ticketing/contracts';
import { getLogger, InjectConfig, KafkaService, MetricsService } from '@ticketing/platform';
import type { EventConfig } from '../config';

/** Distinct events counted per window; views of further events in the same window are dropped. */
export const MAX_EVENTS_PER_WINDOW = 10_000;

/**
 * Demand signals without flooding Kafka: views are counted in memory per event and, every
 * EVENT_VIEW_FLUSH_MS, each event seen in the window gets ONE `event.viewed` with its count. Signals
 * are best effort: a failed flush is logged and counted, not retried (pricing treats them as a trend).
 */
@Injectable()
export class EventViewsService implements OnModuleInit, OnModuleDestroy {
  private readonly log = getLogger('event-views');
  private counts = new Map<string, number>();
  private windowStart = new Date();
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly signals: ReturnType<MetricsService['counter']>;

  constructor(
    private readonly kafka: KafkaService,
    @InjectConfig() private readonly config: EventConfig,
    metrics: MetricsService,
  ) {
    this.signals = metrics.counter('event_view_signals_total', 'event.viewed messages by outcome', [
      'outcome',
    ]);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.EVENT_VIEW_FLUSH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  record(eventId: string): void {
    const count = this.counts.get(eventId);
    if (count === undefined && this.counts.size >= MAX_EVENTS_PER_WINDOW) {
      this.signals.inc({ outcome: 'dropped' });
      return;
    }
    this.counts.set(eventId, (count ?? 0) + 1);
  }

  /** Publishes the current window (one message per viewed event) and starts a new one. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.publishWindow());
    return this.flushing;
  }

  private async publishWindow(): Promise<void> {
    const counts = this.counts;
    const windowStart = this.windowStart;
    let windowEnd = new Date();
    if (windowEnd.getTime() <= windowStart.getTime()) windowEnd = new Date(windowStart.getTime() + 1);
    this.counts = new Map();
    this.windowStart = windowEnd;
    if (counts.size === 0) return;
    const requests = [...counts].map(([eventId, count]) => {
      const envelope = newEnvelope(
        'event.viewed',
        eventId,
        { eventId, count, windowStart: windowStart.toISOString(), windowEnd: windowEnd.toISOString() },
        { source: 'event' },
      );
      return { topic: this.kafka.topicOf(envelope), envelope };
    });
    try {
      await this.kafka.publishAll(requests);
      this.signals.inc({ outcome: 'published' }, requests.length);
    } catch (error) {
      this.signals.inc({ outcome: 'failed' }, requests.length);
      this.log.warn({ err: error, events: requests.length }, 'could not publish view counts; window dropped');
    }
  }
}
