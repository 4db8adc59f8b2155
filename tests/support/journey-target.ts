import { z } from 'zod';
import { clientAddress } from './graphql-client';
import { startStack, type Stack, type StackOptions } from './stack';

/** Where a cross-service test runs: processes it starts itself, or an already deployed platform. */
const targetEnvSchema = z.object({
  /** The public `/graphql` of a deployed platform (e.g. `http://localhost/graphql` through a kind ingress). */
  GATEWAY_URL: z
    .string()
    .trim()
    .optional()
    .transform((raw) => (raw ? raw : undefined))
    .refine((raw) => raw === undefined || /^https?:\/\/[^\s]+$/.test(raw), {
      error: 'GATEWAY_URL must be an http(s) URL',
    }),
});

/** The deployed gateway to test, when `GATEWAY_URL` is set (read once, validated). */
export const DEPLOYED_GATEWAY_URL = targetEnvSchema.parse({
  GATEWAY_URL: process.env.GATEWAY_URL,
}).GATEWAY_URL;

export interface JourneyTarget {
  /** The one public endpoint every step goes through. */
  graphqlUrl: string;
  /** The processes this run started; undefined against a deployed platform (subgraphs are not reachable). */
  stack?: Stack;
  /**
   * Headers for the n-th simulated client. Locally each gets its own address (`X-Forwarded-For`, trusted by the
   * gateway from loopback only); a deployed ingress writes the real address itself, so nothing is added there.
   */
  clientHeaders(n: number): Record<string, string>;
  stop(): Promise<void>;
}

/** Starts the local stack (with `options`), or points at `GATEWAY_URL` when it is set. */
export async function openJourneyTarget(name: string, options: StackOptions = {}): Promise<JourneyTarget> {
  if (DEPLOYED_GATEWAY_URL) {
    return {
      graphqlUrl: DEPLOYED_GATEWAY_URL,
      clientHeaders: () => ({}),
      stop: async () => undefined,
    };
  }
  const stack = await startStack(name, options);
  return {
    graphqlUrl: stack.graphqlUrl,
    stack,
    clientHeaders: (n) => ({ 'x-forwarded-for': clientAddress(n) }),
    stop: () => stack.stop(),
  };
}
