import { z } from 'zod';
import { ConfigError, type ConfigProblem } from './config-error';

export type EnvSource = Record<string, string | undefined>;

function isUnset(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function describeIssue(issue: z.core.$ZodIssue, env: EnvSource, variable: string): string {
  if (isUnset(env[variable]) && (issue.code === 'invalid_type' || issue.code === 'too_small'))
    return 'required';
  return issue.message;
}

/**
 * Validates `env` against `schema` once, at boot. Returns the typed config object or throws a
 * `ConfigError` naming every bad variable (values are never echoed: they may be secrets).
 * This is the one place that reads the process environment.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: EnvSource = process.env): z.infer<S> {
  const input: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) input[key] = env[key];

  const result = schema.safeParse(input);
  if (result.success) return Object.freeze(result.data) as z.infer<S>;

  const problems: ConfigProblem[] = [];
  const seen = new Set<string>();
  for (const issue of result.error.issues) {
    const variable = issue.path.length > 0 ? String(issue.path[0]) : '(config)';
    if (seen.has(variable)) continue;
    seen.add(variable);
    problems.push({ variable, problem: describeIssue(issue, env, variable) });
  }
  throw new ConfigError(problems);
}
