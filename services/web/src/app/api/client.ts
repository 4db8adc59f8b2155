import { Client, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { noteServerDate } from '../lib/serverClock';

const ENDPOINT = '/graphql';
// Operations that must never trigger a session refresh (they are the session).
const NO_REFRESH = /"operationName":"(SignIn|SignUp|SignOut|RefreshSession)"/;

let refreshing: Promise<boolean> | null = null;

// Every tab shares one refresh cookie, and the server treats a refresh token presented twice as stolen (it
// revokes the whole session). So tabs take turns: a tab that waited presents the token the previous one got.
const REFRESH_LOCK = 'ticketing:refresh-session';

function sendRefresh(): Promise<boolean> {
  return fetch(ENDPOINT, {
    method: 'POST',
    credentials: 'same-origin',
    // keepalive: a navigation must not cancel a refresh the server may already have carried out, or the
    // browser would lose the new cookies and the next refresh would present the spent token.
    keepalive: true,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      operationName: 'RefreshSession',
      query: 'mutation RefreshSession { refreshSession { accessTokenExpiresAt } }',
    }),
  }).then(async (res) => {
    const body = (await res.json()) as { data?: { refreshSession?: unknown }; errors?: unknown[] };
    const renewed = !body.errors?.length && Boolean(body.data?.refreshSession);
    // Refused (not merely unreachable): the session is over (signed out elsewhere, password changed, expired).
    if (!renewed && typeof window !== 'undefined') window.dispatchEvent(new Event(SESSION_ENDED));
    return renewed;
  });
}

/** Dispatched on `window` when the server refuses to renew the session: whoever was signed in no longer is. */
export const SESSION_ENDED = 'ticketing:session-ended';

/** Runs `work` when no other tab (or request of this one) is refreshing, signing in, up or out. */
async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  return locks ? await locks.request(REFRESH_LOCK, work) : await work();
}

/**
 * Exchanges the refresh cookie for a new access cookie. Concurrent callers in a tab share one request, and
 * tabs queue behind one another (Web Locks; without them, as on plain http off localhost, each tab sends its own).
 */
export function refreshSession(): Promise<boolean> {
  refreshing ??= inTurn(sendRefresh)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** fetch that notes the server's clock from the answer's Date header (lib/serverClock). */
const timedFetch: typeof fetch = async (input, init) => {
  const sentAt = Date.now();
  const res = await fetch(input, init);
  noteServerDate(res.headers.get('date'), sentAt, Date.now());
  return res;
};

/**
 * fetch for urql: the access cookie lives at most 15 minutes. When an answer says UNAUTHENTICATED, refresh the
 * session once and replay the request; if the refresh fails, the original answer stands.
 */
export const refreshingFetch: typeof fetch = async (input, init) => {
  const body = typeof init?.body === 'string' ? init.body : '';
  // Sign-in, sign-up and sign-out set or clear the session cookies: they take their turn like a refresh, so
  // the cookies of one never land before those of a refresh that was already under way.
  if (NO_REFRESH.test(body)) return inTurn(() => timedFetch(input, init));
  const res = await timedFetch(input, init);
  const text = await res.clone().text();
  if (!text.includes('"UNAUTHENTICATED"')) return res;
  if (!(await refreshSession())) return res;
  return timedFetch(input, init);
};

function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss:' : 'ws:'}//${host}${ENDPOINT}`;
}

export interface AppClient {
  client: Client;
  dispose(): void;
}

/** One urql client (HTTP for queries and mutations, graphql-ws for subscriptions), cookies included. */
export function makeClient(): AppClient {
  const ws: WsClient = createWsClient({
    url: wsUrl(),
    lazy: true,
    retryAttempts: 8,
    shouldRetry: () => true,
    on: {
      closed: (event) => {
        // 4401: the access token expired while subscribed; refresh it before graphql-ws reconnects.
        if ((event as CloseEvent | undefined)?.code === 4401) void refreshSession();
      },
    },
  });
  const client = new Client({
    url: ENDPOINT,
    fetch: refreshingFetch,
    fetchOptions: { credentials: 'same-origin' },
    // POST only: the gateway's CSRF rule refuses GET requests without a preflight header.
    preferGetMethod: false,
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return { client, dispose: () => void ws.dispose() };
}

/**
 * Operation context for the waiting room's join and status reads: they ask for the services' light shedding
 * lane (`x-shed-lane: light`), so a purchase surge cannot get them refused. An operation's `fetchOptions`
 * replace the client's, hence the credentials again.
 */
export const LIGHT_LANE = {
  fetchOptions: { credentials: 'same-origin' as const, headers: { 'x-shed-lane': 'light' } },
};
