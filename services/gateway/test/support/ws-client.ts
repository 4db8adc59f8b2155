import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** `http://host/graphql` → `ws://host/graphql` */
export const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, 'ws');

/** A graphql-ws client that sends `headers` (cookie, origin...) on the upgrade, as a browser would. */
export function wsClient(httpUrl: string, headers: Record<string, string> = {}): Client {
  class HeaderWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { headers });
    }
  }
  return createClient({ url: wsUrl(httpUrl), webSocketImpl: HeaderWebSocket, retryAttempts: 0, lazy: true });
}

/** Runs one subscription to completion (or `limit` results) and returns what it received. */
export async function collect(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  limit = 100,
) {
  const results: Array<{
    data?: unknown;
    errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
  }> = [];
  try {
    for await (const result of client.iterate({ query, variables })) {
      results.push(result as (typeof results)[number]);
      if (results.length >= limit) break;
    }
  } catch (err) {
    if (Array.isArray(err)) results.push({ errors: err });
    else if (err instanceof Error) results.push({ errors: [{ message: err.message }] });
    else {
      const close = err as { code?: number; reason?: string };
      results.push({ errors: [{ message: `socket closed ${close.code}: ${close.reason}` }] });
    }
  }
  return results;
}

/** Status code of a refused WebSocket upgrade (or 101 when it was accepted). */
export function upgradeStatus(httpUrl: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(httpUrl), 'graphql-transport-ws', { headers });
    socket.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      resolve(101);
      socket.close();
    });
    socket.on('error', (err) => reject(err));
  });
}
