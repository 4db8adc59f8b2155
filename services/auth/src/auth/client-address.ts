import type { Request } from 'express';

/**
 * The client's address for throttling. `req.ip` already honours `X-Forwarded-For` exactly as far as
 * `TRUST_PROXY` allows (the platform sets Express's `trust proxy` from it), so a client cannot pick its
 * own address by sending the header to a service that does not trust its proxy.
 */
export function clientAddress(req: Request | undefined): string {
  const raw = req?.ip ?? req?.socket?.remoteAddress ?? 'unknown';
  return raw.startsWith('::ffff:') ? raw.slice('::ffff:'.length) : raw;
}
