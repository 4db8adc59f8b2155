import { createClient } from 'graphql-ws';
import { GraphQLError, type ExecutionResult } from 'graphql';
import WebSocket from 'ws';

export interface UpstreamSubscription {
  /** `ws://` or `wss://` address of the subgraph's graphql-ws endpoint. */
  url: string;
  /** Headers for the upgrade request (cookie, authorization, trace id, client address). */
  headers: Record<string, string>;
  /** The client's `connection_init` payload, passed on unchanged. */
  connectionParams?: Record<string, unknown>;
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** `http(s)://host/graphql` → `ws(s)://host/graphql`. */
export function toWebSocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** A subgraph's extensions as relayed: everything but a stack trace (a subgraph in development mode may add one). */
function relayedExtensions(extensions: Record<string, unknown> | undefined) {
  if (!extensions || !('stacktrace' in extensions)) return extensions;
  const { stacktrace: _stack, ...rest } = extensions;
  return rest;
}

function upstreamErrors(err: unknown): GraphQLError[] {
  if (Array.isArray(err) && err.every((e) => typeof e === 'object' && e !== null && 'message' in e)) {
    return err.map(
      (e: { message: string; extensions?: Record<string, unknown>; path?: ReadonlyArray<string | number> }) =>
        new GraphQLError(e.message, { extensions: relayedExtensions(e.extensions), path: e.path }),
    );
  }
  // The subgraph closed the connection because of the caller's credentials (graphql-ws close codes: 4403
  // when connection_init is refused, 4401 when the session ends): the client must sign in, not retry.
  const closeCode = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  if (closeCode === 4401 || closeCode === 4403) {
    return [
      new GraphQLError(
        closeCode === 4401 ? 'The session has ended; sign in again' : 'The access token is not valid',
        { extensions: { code: 'UNAUTHENTICATED' } },
      ),
    ];
  }
  return [
    new GraphQLError('The subgraph serving this subscription is unavailable.', {
      extensions: { code: 'SUBGRAPH_UNAVAILABLE' },
    }),
  ];
}

/**
 * Opens one graphql-ws connection to the owning subgraph for one client subscription and relays its results.
 * Ending the returned iterator (client `complete` or disconnect) closes the upstream connection; an upstream
 * failure ends the subscription with a GraphQL error instead of tearing down the client's socket.
 */
export function forwardSubscription(target: UpstreamSubscription): AsyncGenerator<ExecutionResult> {
  class HeaderWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers: target.headers, handshakeTimeout: 10_000 });
    }
  }
  const client = createClient({
    url: target.url,
    webSocketImpl: HeaderWebSocket,
    connectionParams: target.connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  const results = client.iterate({
    query: target.query,
    variables: target.variables ?? undefined,
    operationName: target.operationName ?? undefined,
  });
  return (async function* relay(): AsyncGenerator<ExecutionResult> {
    try {
      for await (const result of results) {
        // The subgraph's errors arrive as plain objects; graphql-ws sends GraphQLErrors (it calls toJSON).
        const errors = result.errors ? upstreamErrors(result.errors) : undefined;
        yield { ...(result as ExecutionResult), ...(errors ? { errors } : {}) };
      }
    } catch (err) {
      yield { errors: upstreamErrors(err) };
    } finally {
      await results.return?.();
      await client.dispose();
    }
  })();
}
