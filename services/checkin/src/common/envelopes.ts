import { newEnvelope, type EventData, type EventEnvelope, type EventType } from '@ticketing/contracts';
import { currentTraceId } from '@ticketing/platform';
import { CHECKIN_SERVICE_NAME } from '../config';

/** An envelope this service publishes: keyed by the event id, carrying the current trace id. */
export function checkinEnvelope<T extends EventType>(
  type: T,
  eventId: string,
  data: EventData<T>,
): EventEnvelope<T> {
  return newEnvelope(type, eventId, data, {
    source: CHECKIN_SERVICE_NAME,
    traceId: currentTraceId() ?? undefined,
  });
}
