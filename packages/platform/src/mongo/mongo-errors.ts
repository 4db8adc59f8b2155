/** MongoDB's duplicate-key error code (a unique index refused the write). */
export const DUPLICATE_KEY_ERROR = 11000;

/** True when a write failed only because a unique index (often `_id`) already holds the key. */
export function isDuplicateKeyError(err: unknown): boolean {
  return (err as { code?: unknown } | null | undefined)?.code === DUPLICATE_KEY_ERROR;
}
