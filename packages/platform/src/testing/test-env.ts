import { z } from 'zod';
import { envList, envUrl } from '../config/env-fields';
import { loadConfig } from '../config/load-config';

/** Where the test helpers find the local real stack (the same defaults as the services). */
export function testEnvSchema() {
  return z.object({
    KAFKA_BROKERS: envList(['127.0.0.1:19092'], { nonEmpty: true }),
    MONGO_URL: envUrl(['mongodb', 'mongodb+srv'], 'mongodb://127.0.0.1:27018'),
    REDIS_URL: envUrl(['redis', 'rediss'], 'redis://127.0.0.1:6390'),
    /** 'true' on CI: a missing server fails the run. */
    CI: z.string().default(''),
    /** '0' lets a run without the local stack go on (pure unit tests); anything else requires it. */
    TEST_REQUIRE_INFRA: z.string().default('1'),
    /**
     * Set when the tests drive an already deployed platform through its public endpoint (the kind e2e
     * job): the local stack is then not needed and not checked.
     */
    GATEWAY_URL: z.string().default(''),
    /** Path of the redis-server binary for throwaway servers (default: found on PATH). */
    REDIS_SERVER_BIN: z.string().default(''),
  });
}

export type TestEnv = z.infer<ReturnType<typeof testEnvSchema>>;

let cached: TestEnv | undefined;

/** The test environment, read once from the process environment. */
export function testEnv(): TestEnv {
  cached ??= loadConfig(testEnvSchema());
  return cached;
}
