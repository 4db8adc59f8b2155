import type { IncomingMessage } from 'node:http';

/** Express's compiled `trust proxy` predicate: is the hop at `address` (distance `index` from us) trusted? */
export type TrustProxyFn = (address: string, index: number) => boolean;

/**
 * The client address of a raw request (a WebSocket upgrade never reaches express, so `req.ip` is not there):
 * walk `X-Forwarded-For` from the nearest hop while each hop is a trusted proxy, like express does.
 */
export function resolveClientAddress(req: IncomingMessage, trust: TrustProxyFn): string {
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .reverse();
  const chain = [req.socket.remoteAddress ?? 'unknown', ...forwarded];
  for (let i = 0; i < chain.length - 1; i += 1) {
    if (!trust(chain[i], i)) return chain[i];
  }
  return chain[chain.length - 1];
}
