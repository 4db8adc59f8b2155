import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { MetricsService } from '../metrics/metrics.service';

export const GRAPHQL_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Distinct operation names kept as label values; later ones are counted as `other`. */
export const MAX_OPERATION_LABELS = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export type OperationOutcome = 'success' | 'error' | 'rejected';

/**
 * Records `graphql_operation_duration_seconds{operation,type,outcome}`: `operation` is the
 * operation name (clients choose it, so only well-formed names and at most MAX_OPERATION_LABELS of
 * them become labels), `type` query/mutation/subscription (`unknown` when the document was
 * refused), `outcome` success, error (execution errors) or rejected (parse/validation/limits).
 */
export function graphqlMetricsPlugin(metrics: MetricsService): ApolloServerPlugin<BaseContext> {
  const histogram = metrics.histogram(
    'graphql_operation_duration_seconds',
    'GraphQL operation duration in seconds',
    ['operation', 'type', 'outcome'],
    { buckets: GRAPHQL_DURATION_BUCKETS },
  );
  const known = new Set<string>();
  const label = (name: string | null | undefined): string => {
    if (!name) return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (known.has(name)) return name;
    if (known.size >= MAX_OPERATION_LABELS) return 'other';
    known.add(name);
    return name;
  };

  return {
    async requestDidStart() {
      const stop = histogram.startTimer();
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse(requestContext) {
          const errors = requestContext.errors ?? [];
          const outcome: OperationOutcome = !executed ? 'rejected' : errors.length > 0 ? 'error' : 'success';
          stop({
            operation: executed ? label(requestContext.operationName) : 'anonymous',
            type: requestContext.operation?.operation ?? 'unknown',
            outcome,
          });
        },
      };
    },
  };
}
