import { appendOutbox, type OutboxMessage } from '@ticketing/platform';

type UpdateDoc = Record<string, Record<string, unknown>>;

/**
 * `update` plus the platform's outbox fragment for `envelopes`, merged operator by operator (an update
 * that also `$push`es or `$set`s other fields keeps them). Never touches the outbox fields by hand, so it
 * stays right whatever `appendOutbox` puts in its fragment.
 */
export function mergeOutbox(update: UpdateDoc, envelopes: readonly OutboxMessage[]): UpdateDoc {
  const fragment = appendOutbox(envelopes) as unknown as UpdateDoc;
  const merged: UpdateDoc = { ...update };
  for (const [operator, fields] of Object.entries(fragment)) {
    merged[operator] = { ...(merged[operator] ?? {}), ...fields };
  }
  return merged;
}
