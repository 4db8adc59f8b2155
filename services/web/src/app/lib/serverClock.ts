/**
 * The server's clock as seen from this device. A hold's `expiresAt` is the server's instant; a phone whose clock
 * is minutes off would count it down wrongly (a fast clock shows a fresh hold as expired). The API has no
 * server-time field, so the offset is estimated from the `Date` header of every GraphQL answer: the header has
 * one-second resolution, so the midpoint of the request is compared with the middle of that second, and
 * offsets within that error are taken as none.
 */
const TOLERANCE_MS = 2_000;

let offsetMs = 0;
const listeners = new Set<() => void>();

/** Notes one answer's `Date` header; `sentAt` and `receivedAt` are this device's clock around the request. */
export function noteServerDate(header: string | null, sentAt: number, receivedAt: number): void {
  if (!header) return;
  const server = Date.parse(header);
  if (Number.isNaN(server)) return;
  const estimate = server + 500 - (sentAt + receivedAt) / 2;
  const next = Math.abs(estimate) <= TOLERANCE_MS ? 0 : Math.round(estimate);
  // Small wobbles (latency, the header's rounding) do not move the countdowns.
  if (Math.abs(next - offsetMs) <= 1_000) return;
  offsetMs = next;
  listeners.forEach((listener) => listener());
}

/** Now on the server's clock (ms), as best this device knows it. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}

/** How far this device's clock is behind the server's (ms; negative when it is ahead). */
export function clockOffsetMs(): number {
  return offsetMs;
}

/** Called whenever the estimated offset changes; returns the unsubscribe. */
export function onClockOffset(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
