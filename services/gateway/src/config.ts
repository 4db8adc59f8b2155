import { baseConfigSchema, envBool, envByteSize, envInt, envList, envUrl } from '@ticketing/platform';
import { resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SUBGRAPH_URLS } from './supergraph/subgraphs';

export const GATEWAY_SERVICE_NAME = 'gateway';
export const GATEWAY_DEFAULT_PORT = 4000;

/** The committed supergraph, next to the package (works from both `src/` and `dist/`). */
const DEFAULT_SUPERGRAPH_PATH = resolve(__dirname, '..', 'supergraph.graphql');

const subgraphUrl = (name: keyof typeof DEFAULT_SUBGRAPH_URLS) =>
  envUrl(['http', 'https'], DEFAULT_SUBGRAPH_URLS[name]);

// safeExtend: the base schema has refinements (zod refuses to overwrite keys of such a schema with .extend),
// and the OVERLOAD_* defaults below replace the base ones.
export const gatewayConfigSchema = baseConfigSchema(GATEWAY_SERVICE_NAME, GATEWAY_DEFAULT_PORT).safeExtend({
  AUTH_URL: subgraphUrl('auth'),
  EVENT_URL: subgraphUrl('event'),
  TICKET_URL: subgraphUrl('ticket'),
  CHECKIN_URL: subgraphUrl('checkin'),
  PRICING_URL: subgraphUrl('pricing'),
  /** The composed supergraph SDL the gateway serves (written by `npm run compose`). */
  SUPERGRAPH_PATH: z.string().min(1).default(DEFAULT_SUPERGRAPH_PATH),
  /** Requests (HTTP GraphQL operations and WebSocket upgrades) per client address per minute; 0 turns it off. */
  RATE_LIMIT_PER_MINUTE: envInt({ default: 600, min: 0, max: 1_000_000 }),
  /**
   * When Redis cannot answer the rate-limit check in time: `true` lets the request through (availability),
   * `false` answers 503. Redis is a fast gate here, not a source of truth.
   */
  RATE_LIMIT_FAIL_OPEN: envBool(true),
  RATE_LIMIT_TIMEOUT_MS: envInt({ default: 200, min: 10, max: 10_000 }),
  /**
   * Time allowed for one subgraph HTTP request; past it the client gets SERVICE_UNAVAILABLE naming the subgraph.
   * Kept below clients' patience (the bench waits 10 s; browsers minutes) so they hear a retryable answer.
   */
  SUBGRAPH_TIMEOUT_MS: envInt({ default: 5_000, min: 100, max: 120_000 }),
  /**
   * The gateway's own load shedder (platform `overload`), on the same adaptive rule as the subgraphs' but on the
   * whole operation as a client sees it (plan + every subgraph call): while more than 10 % of a window's
   * operations take over a second the limit shrinks, so a saturated gateway (or a saturated subgraph behind it)
   * refuses the excess at the door, before the body is parsed, in milliseconds (TRY_AGAIN with a hint), instead
   * of parsing, planning and forwarding work whose answer would come too late. The bound is wide enough for
   * normal traffic: 32 operations in flight at start, growing by one per busy window up to 256.
   */
  OVERLOAD_MAX_INFLIGHT: envInt({ default: 256, min: 0, max: 10_000 }),
  OVERLOAD_MIN_INFLIGHT: envInt({ default: 16, min: 1, max: 10_000 }),
  OVERLOAD_INITIAL_INFLIGHT: envInt({ default: 32, min: 1, max: 10_000 }),
  OVERLOAD_TARGET_LATENCY_MS: envInt({ default: 1_000, min: 1, max: 60_000 }),
  /**
   * Operations served in the light shedding lane when a client asks for it (`x-shed-lane: light`): the waiting
   * room's join and status reads, which must not be refused behind a purchase surge (platform overload). The
   * header is passed on to the subgraph only for an operation held to these fields.
   */
  OVERLOAD_LIGHT_OPERATIONS: envList(['joinWaitingRoom', 'waitingRoomStatus']),
  /**
   * Largest request body: the largest any subgraph accepts (the platform default every subgraph now uses, and
   * check-in's for a sync batch), so an oversized input reaches the subgraph that validates it and gets
   * BAD_USER_INPUT with its field, not HTTP 413 here or there. Larger bodies are refused here (413).
   * Documents are still bounded by depth, aliases and tokens before anything is planned.
   */
  BODY_LIMIT: envByteSize('5mb'),
  /** WebSocket: most concurrent subscriptions one connection may hold. */
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: envInt({ default: 50, min: 1, max: 10_000 }),
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** Subgraph name → URL from config (the supergraph's own URLs are only local defaults). */
export function subgraphUrls(config: GatewayConfig): Record<string, string> {
  return {
    auth: config.AUTH_URL,
    event: config.EVENT_URL,
    ticket: config.TICKET_URL,
    checkin: config.CHECKIN_URL,
    pricing: config.PRICING_URL,
  };
}
