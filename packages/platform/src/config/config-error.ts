/** One bad environment variable and why. */
export interface ConfigProblem {
  variable: string;
  problem: string;
}

/** Thrown by `loadConfig` when the environment does not satisfy the schema; names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: ConfigProblem[]) {
    super(`Invalid configuration: ${problems.map((p) => `${p.variable} (${p.problem})`).join(', ')}`);
  }
}
