import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from '../graphql/gateway-context';
import { forwardedHeaders, readSetCookies, type SetCookieSource } from './forwarded-headers';
import { mapSubgraphFailure } from './subgraph-failure';

type DidReceiveResponse = NonNullable<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse']>;
type ResponseContext = Parameters<DidReceiveResponse>[0];
type SubgraphResponse = ResponseContext['response'];
type Fetcher = RemoteGraphQLDataSource['fetcher'];

/** Node's own fetch (undici, pooled keep-alive connections) with a per-request timeout. */
export function timedFetcher(timeoutMs: number): Fetcher {
  const fetcher = (url: string, init?: RequestInit) =>
    fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  return fetcher as unknown as Fetcher;
}

/**
 * Talks to one subgraph (`name`, as the supergraph calls it). Adds the client's cookie, authorization, trace id and address to each subgraph request
 * and copies every `Set-Cookie` of the subgraph's answer (auth's session cookies) onto the client response.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  private readonly serviceName: string;

  constructor(config: ConstructorParameters<typeof RemoteGraphQLDataSource>[0] & { name: string }) {
    const { name, ...rest } = config;
    super(rest);
    this.serviceName = name;
  }

  /** A timeout, a refused connection or a shed request becomes a retryable error naming the subgraph. */
  override didEncounterError(error: Error): void {
    throw mapSubgraphFailure(this.serviceName, error);
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const context = options.context as Partial<GatewayContext>;
    const headers = options.request.http?.headers;
    if (!headers || !context.client) return;
    for (const [name, value] of Object.entries(forwardedHeaders(context.client))) headers.set(name, value);
  }

  override didReceiveResponse({ response, context }: ResponseContext): SubgraphResponse {
    const http = (response as { http?: { headers: SetCookieSource } }).http;
    if (http && context.setCookie) {
      for (const cookie of readSetCookies(http.headers)) context.setCookie(cookie);
    }
    return response;
  }
}
