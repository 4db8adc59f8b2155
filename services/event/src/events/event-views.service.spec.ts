import { validateEnvelope, type Envelope } from '@ticketing/contracts';
import { describe, expect, it } from 'vitest';
import { EventViewsService, MAX_EVENTS_PER_WINDOW } from './event-views.service';

function harness() {
  const published: Array<{ topic: string; envelope: Envelope }> = [];
  const kafka = {
    topicOf: () => 'event.views',
    publishAll: async (requests: Array<{ topic: string; envelope: Envelope }>) => {
      published.push(...requests);
    },
  };
  const counters = new Map<string, number>();
  const metrics = {
    counter: () => ({
      inc: (labels: { outcome: string }, n = 1) =>
        counters.set(labels.outcome, (counters.get(labels.outcome) ?? 0) + n),
    }),
  };
  const service = new EventViewsService(
    kafka as never,
    { EVENT_VIEW_FLUSH_MS: 60_000 } as never,
    metrics as never,
  );
  return { service, published, counters };
}

describe('EventViewsService', () => {
  it('sends one event.viewed per event per window with the view count', async () => {
    const { service, published } = harness();
    const a = '11111111-1111-4111-8111-111111111111';
    const b = '22222222-2222-4222-8222-222222222222';
    for (let i = 0; i < 500; i += 1) service.record(a);
    service.record(b);
    await new Promise((resolve) => setTimeout(resolve, 2));
    await service.flush();
    expect(published).toHaveLength(2);
    const byEvent = new Map(published.map((p) => [p.envelope.key, validateEnvelope(p.envelope)]));
    expect((byEvent.get(a)!.data as { count: number }).count).toBe(500);
    expect((byEvent.get(b)!.data as { count: number }).count).toBe(1);
    expect(published.every((p) => p.topic === 'event.views')).toBe(true);

    await service.flush();
    expect(published).toHaveLength(2);
  });

  it('bounds the events tracked in one window', async () => {
    const { service, published, counters } = harness();
    for (let i = 0; i < MAX_EVENTS_PER_WINDOW + 5; i += 1) {
      service.record(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    }
    expect(counters.get('dropped')).toBe(5);
    await service.flush();
    expect(published).toHaveLength(MAX_EVENTS_PER_WINDOW);
  });
});
