import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { appUrl, createServiceApp, loadConfig } from '@ticketing/platform';
import { createAppModule } from '../../src/app.module';
import { gatewayAppOptions } from '../../src/app.options';
import { gatewayConfigSchema, type GatewayConfig } from '../../src/config';
import { composeSupergraph, type SubgraphSdl } from '../../src/supergraph/compose-supergraph';

export interface TestGateway {
  app: NestExpressApplication;
  config: GatewayConfig;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `http://127.0.0.1:<port>/graphql` */
  graphqlUrl: string;
  close(): Promise<void>;
}

/** Composes `subgraphs` into a throwaway supergraph file and returns its path. */
export function writeSupergraph(subgraphs: SubgraphSdl[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'gateway-test-'));
  const path = join(dir, 'supergraph.graphql');
  writeFileSync(path, composeSupergraph(subgraphs));
  return path;
}

/** A Redis key prefix no other test run shares. */
export function uniqueRedisPrefix(name: string): string {
  return `test:${name}:${randomBytes(4).toString('hex')}:`;
}

/** Boots the gateway in-process on a random port with `env` on top of test defaults. */
export async function startTestGateway(env: Record<string, string>): Promise<TestGateway> {
  const config = loadConfig(gatewayConfigSchema, {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '0',
    REDIS_KEY_PREFIX: uniqueRedisPrefix('gateway'),
    ...env,
  });
  const app = await createServiceApp(createAppModule(config), config, gatewayAppOptions(config, false));
  await app.listen(0, '127.0.0.1');
  const url = appUrl(app);
  return { app, config, url, graphqlUrl: `${url}/graphql`, close: () => app.close() };
}
