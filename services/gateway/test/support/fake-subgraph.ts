import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

export interface FakeSubgraphContext {
  headers: IncomingHttpHeaders;
  /** Adds a `Set-Cookie` header to the subgraph's HTTP answer. */
  setCookie(value: string): void;
}

/** A root resolver; declared as a method so tests may type `args` precisely. */
export interface FakeResolvers {
  [field: string]: { resolve(args: Record<string, unknown>, ctx: FakeSubgraphContext): unknown }['resolve'];
}

export interface FakeSubgraph {
  /** `http://127.0.0.1:<port>/graphql` */
  url: string;
  /** Headers of every HTTP request received, in order. */
  requests: IncomingHttpHeaders[];
  /** Headers of every WebSocket upgrade received, in order. */
  upgrades: IncomingHttpHeaders[];
  /** Names of resolvers that ran (root fields), in order. */
  calls: string[];
  close(): Promise<void>;
}

/**
 * A small real GraphQL server standing in for a subgraph in gateway tests: plain graphql-js over HTTP POST at
 * /graphql plus graphql-ws on the same path. `root` holds the root resolvers (subscription resolvers return
 * async iterables of `{ <field>: value }`).
 */
export async function startFakeSubgraph(sdl: string, root: FakeResolvers): Promise<FakeSubgraph> {
  const schema: GraphQLSchema = buildSchema(sdl);
  const requests: IncomingHttpHeaders[] = [];
  const upgrades: IncomingHttpHeaders[] = [];
  const calls: string[] = [];
  const tracked = Object.fromEntries(
    Object.entries(root).map(([name, fn]) => [
      name,
      (args: Record<string, unknown>, ctx: FakeSubgraphContext) => {
        calls.push(name);
        return fn(args, ctx);
      },
    ]),
  );

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url !== '/graphql') {
      res.writeHead(404).end();
      return;
    }
    requests.push(req.headers);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        query: string;
        variables?: Record<string, unknown>;
        operationName?: string;
      };
      const cookies: string[] = [];
      const ctx: FakeSubgraphContext = { headers: req.headers, setCookie: (v) => cookies.push(v) };
      void graphql({
        schema,
        source: body.query,
        variableValues: body.variables,
        operationName: body.operationName,
        rootValue: tracked,
        contextValue: ctx,
      }).then((result) => {
        if (cookies.length > 0) res.setHeader('Set-Cookie', cookies);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      });
    });
  });

  const wss = new WebSocketServer({ server, path: '/graphql' });
  wss.on('connection', (_socket, req) => upgrades.push(req.headers));
  const wsServer = useServer(
    {
      schema,
      roots: { subscription: tracked } as never,
      context: (ctx) => ({ headers: ctx.extra.request.headers, setCookie: () => undefined }),
    },
    wss,
  );

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    requests,
    upgrades,
    calls,
    close: async () => {
      await wsServer.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
