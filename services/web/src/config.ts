import { z } from 'zod';

// Configuration of the production static server (src/main.ts), read once at boot. The app itself has no
// runtime configuration: it talks to `/graphql` on its own origin.

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const webConfigSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: int(8080, 1, 65_535),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Folder of the Vite build; default: `public` beside the compiled server. */
  STATIC_DIR: z.string().min(1).optional(),
  /** After SIGTERM: readiness answers 503 at once, then wait this long before closing the listener. */
  SHUTDOWN_DELAY_MS: int(0, 0, 600_000),
  /** Whole shutdown budget; past it the process exits with code 1. */
  SHUTDOWN_TIMEOUT_MS: int(25_000, 1000, 600_000),
});

export type WebConfig = z.infer<typeof webConfigSchema>;

/** Parses the environment or throws one error naming every bad variable. */
export function loadWebConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  const result = webConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.')} (${i.message})`);
  throw new Error(`Invalid configuration: ${problems.join(', ')}`);
}
