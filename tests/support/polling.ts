/**
 * Reads `read()` until `ready(value)` holds, then returns that value. After `timeoutMs` it fails naming `what`
 * and showing the last value (or error) seen, so a slow or broken propagation says what it was waiting for.
 */
export async function waitFor<V>(
  what: string,
  read: () => Promise<V>,
  ready: (value: V) => boolean,
  { timeoutMs = 20_000, intervalMs = 200 } = {},
): Promise<V> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await read();
      if (ready(value)) return value;
      last = value;
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
