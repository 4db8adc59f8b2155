/**
 * Resolves or rejects as `promise` does, unless `ms` pass first: then it rejects with
 * `Error(onTimeout)` or, when `onTimeout` is a function, with the error it makes (so callers can tell a
 * timeout apart by its class). The timer never outlives the race.
 */
export async function withTimeout<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: string | (() => Error),
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(typeof onTimeout === 'string' ? new Error(onTimeout) : onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
