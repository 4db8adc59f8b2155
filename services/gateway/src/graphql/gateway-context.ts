import type { ClientRequestInfo } from '../forwarding/forwarded-headers';

/** The per-request context Apollo Gateway hands to each subgraph data source. */
export interface GatewayContext extends Record<string, unknown> {
  client: ClientRequestInfo;
  /** Appends one `Set-Cookie` header to the client response (never merges values). */
  setCookie: (cookie: string) => void;
}
