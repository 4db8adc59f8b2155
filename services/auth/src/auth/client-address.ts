import type { Request } from 'express';
import { isIPv6 } from 'node:net';

/**
 * The client's address for throttling. `req.ip` already honours `X-Forwarded-For` exactly as far as
 * `TRUST_PROXY` allows (the platform sets Express's `trust proxy` from it), so a client cannot pick its
 * own address by sending the header to a service that does not trust its proxy.
 */
export function clientAddress(req: Request | undefined): string {
  const raw = req?.ip ?? req?.socket?.remoteAddress ?? 'unknown';
  return raw.startsWith('::ffff:') ? raw.slice('::ffff:'.length) : raw;
}

/**
 * The part of an address that identifies one client for throttling: an IPv4 address as is, an IPv6
 * address by its /64 prefix (one subscriber usually holds a whole /64, so counting full IPv6 addresses
 * would give an attacker 2^64 fresh counters). Anything else is returned unchanged.
 */
export function throttleSubject(address: string): string {
  if (!isIPv6(address)) return address;
  return `${expandIPv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address (zone dropped, embedded IPv4 converted), lower-case, unpadded. */
function expandIPv6(address: string): string[] {
  let text = address.split('%')[0].toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((h) => parseInt(h, 16).toString(16));
}
