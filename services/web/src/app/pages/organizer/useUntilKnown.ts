import { useEffect } from 'react';
import { useQuery, type UseQueryState } from 'urql';
import { problemOf } from '../../lib/errors';

/** How often a service that does not know the event yet is asked again. */
const ASK_AGAIN_MS = 2000;

/**
 * The first answer, over HTTP and never from the cache, of a live organizer panel about one event (sales,
 * check-ins). Just published, an event reaches the ticket and check-in services over Kafka a moment later, and
 * they refuse it meanwhile (FORBIDDEN or NOT_FOUND): while they do, `unknownYet` is true and the query is asked
 * again every 2 s. Live updates should start once `data` came, so they are not refused for the same reason.
 */
export function useUntilKnown<Data>(
  query: string,
  eventId: string,
  pause = false,
): [result: UseQueryState<Data>, unknownYet: boolean] {
  const [result, refetch] = useQuery<Data>({
    query,
    variables: { eventId },
    requestPolicy: 'network-only',
    pause,
  });
  const unknownYet = !result.data && ['FORBIDDEN', 'NOT_FOUND'].includes(problemOf(result.error)?.code ?? '');
  useEffect(() => {
    if (!unknownYet) return;
    const timer = window.setInterval(() => refetch({ requestPolicy: 'network-only' }), ASK_AGAIN_MS);
    return () => window.clearInterval(timer);
  }, [unknownYet, refetch]);
  return [result, unknownYet];
}
