import { Module, type DynamicModule } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  appUrl,
  baseConfigSchema,
  createServiceApp,
  createSubgraphModule,
  JwtAuthModule,
  loadConfig,
  PlatformModule,
  type BaseConfig,
} from '../../src';
import type { TestIssuer } from '../../src/testing/test-issuer';
import { TestFeatureModule } from './test-subgraph.module';

export interface TestApp {
  app: NestExpressApplication;
  url: string;
  config: BaseConfig;
  close(): Promise<void>;
}

/** The tiny subgraph served by a real Nest app on a random port, trusting `issuer`'s JWKS. */
export async function startTestSubgraph(
  issuer: TestIssuer,
  env: { NODE_ENV?: string; COOKIE_SECURE?: string } = {},
): Promise<TestApp> {
  const config = loadConfig(baseConfigSchema('graphql-test', 0), {
    NODE_ENV: env.NODE_ENV ?? 'test',
    COOKIE_SECURE: env.COOKIE_SECURE ?? (env.NODE_ENV === 'production' ? 'true' : 'false'),
    LOG_LEVEL: 'silent',
    AUTH_JWKS_URL: issuer.jwksUrl,
    AUTH_ISSUER: issuer.issuer,
    AUTH_AUDIENCE: issuer.audience,
  });

  @Module({})
  class AppModule {
    static create(): DynamicModule {
      return {
        module: AppModule,
        imports: [
          PlatformModule.forRoot({ serviceName: 'graphql-test', config }),
          JwtAuthModule.forRoot(),
          createSubgraphModule({ subscriptions: true }),
          TestFeatureModule,
        ],
      };
    }
  }

  const app = await createServiceApp(AppModule.create() as never, config, {
    serviceName: 'graphql-test',
    handleSignals: false,
  });
  await app.listen(0, '127.0.0.1');
  return { app, url: `${appUrl(app)}/graphql`, config, close: () => app.close() };
}

export interface GqlResponse {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[];
  };
}

/** POSTs a GraphQL operation as JSON (what browsers send with a preflight). */
export async function gql(
  url: string,
  query: string,
  options: {
    variables?: Record<string, unknown>;
    token?: string;
    cookie?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<GqlResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(url, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables: options.variables }),
  });
  return { status: response.status, body: (await response.json()) as GqlResponse['body'] };
}

/** `{ probe { child { ... { message } } } }` with `depth` levels of fields. */
export function probeQueryOfDepth(depth: number): string {
  let selection = 'message';
  for (let level = depth; level > 2; level -= 1) selection = `child { ${selection} }`;
  return `{ probe { ${selection} } }`;
}

/** `{ a1: probe { message } ... }` with `count` aliases. */
export function probeQueryWithAliases(count: number): string {
  const fields = Array.from({ length: count }, (_, index) => `a${index + 1}: probe { message }`);
  return `{ ${fields.join(' ')} }`;
}
