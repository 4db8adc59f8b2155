import { randomBytes } from 'node:crypto';
import { LANE_HEADER } from '@ticketing/platform';
import type { IncomingHttpHeaders } from 'node:http';

export const TRACE_HEADER = 'x-trace-id';

/** What the gateway knows about the client request, reduced to what subgraphs may see. */
export interface ClientRequestInfo {
  headers: IncomingHttpHeaders;
  /** The client address as the gateway resolved it (express `req.ip`, honouring `TRUST_PROXY`). */
  clientAddress?: string;
  /** Trace id already assigned to this request (platform trace middleware), if any. */
  traceId?: string;
}

const TRACE_ID = /^[A-Za-z0-9._-]{8,128}$/;

function single(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The headers sent to every subgraph for one client request: the session cookie and bearer token (so the
 * subgraph authenticates the user itself), a trace id (made here when the client sent none or a malformed one),
 * and the client address in `X-Forwarded-For`. The address is the gateway's own resolution, not the client's
 * header echoed, so a client cannot choose the address subgraphs throttle on. The light-lane header goes on
 * (its operation was held to that lane's fields). Nothing else is forwarded.
 */
export function forwardedHeaders(info: ClientRequestInfo): Record<string, string> {
  const out: Record<string, string> = {};
  const cookie = single(info.headers.cookie);
  if (cookie) out.cookie = cookie;
  const authorization = single(info.headers.authorization);
  if (authorization) out.authorization = authorization;
  const clientTrace = single(info.headers[TRACE_HEADER]);
  out[TRACE_HEADER] =
    info.traceId ??
    (clientTrace && TRACE_ID.test(clientTrace) ? clientTrace : randomBytes(16).toString('hex'));
  if (info.clientAddress) out['x-forwarded-for'] = info.clientAddress;
  // The light shedding lane: the gateway's laneGuardPlugin has already held the operation to that lane's
  // fields, so the subgraph may serve it in its own light lane too.
  if (single(info.headers[LANE_HEADER]) === 'light') out[LANE_HEADER] = 'light';
  return out;
}

/** The minimal view of fetch-like response headers this module reads. */
export interface SetCookieSource {
  get(name: string): string | null;
  getSetCookie?: () => string[];
  raw?: () => Record<string, string[]>;
}

/**
 * Every `Set-Cookie` value of a subgraph response, kept separate. `headers.get('set-cookie')` would join them
 * with commas, which breaks cookies whose `Expires` attribute itself contains a comma.
 */
export function readSetCookies(headers: SetCookieSource): string[] {
  if (typeof headers.getSetCookie === 'function') return headers.getSetCookie();
  if (typeof headers.raw === 'function') return headers.raw()['set-cookie'] ?? [];
  const joined = headers.get('set-cookie');
  return joined ? [joined] : [];
}
