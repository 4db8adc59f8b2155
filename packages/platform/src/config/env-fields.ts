import { z } from 'zod';

// Field builders for environment variables. Every value arrives as a string (or is missing);
// these turn it into a typed value with a short, operator-friendly message when it is wrong.
// An empty string counts as "not set" for typed fields, so `PORT=` falls back to the default.

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A whole number within [min, max] (both inclusive). */
export function envInt(options: { default?: number; min?: number; max?: number } = {}) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  const inner = z.coerce
    .number({ error: 'expected number' })
    .int({ error: 'expected whole number' })
    .min(min, { error: `expected number >= ${min}` })
    .max(max, { error: `expected number <= ${max}` });
  return z.preprocess(
    blankToUndefined,
    options.default === undefined ? inner : inner.default(options.default),
  );
}

/** A TCP port (1-65535; 0 allowed when `allowZero`, meaning "any free port"). */
export function envPort(defaultPort?: number, allowZero = true) {
  return envInt({ default: defaultPort, min: allowZero ? 0 : 1, max: 65535 });
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** 'true' / 'false' (also 1/0, yes/no, on/off), case-insensitive. */
export function envBool(defaultValue?: boolean) {
  const inner = z.string({ error: 'expected true or false' }).transform((raw, ctx) => {
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected true or false' });
    return z.NEVER;
  });
  return z.preprocess(blankToUndefined, defaultValue === undefined ? inner : inner.default(defaultValue));
}

/** A comma-separated list; items are trimmed and empty items dropped. */
export function envList(defaultValue?: string[], options: { nonEmpty?: boolean } = {}) {
  const base = z
    .string({ error: 'expected comma-separated list' })
    .transform((raw) =>
      raw
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0),
    )
    .refine((items) => !options.nonEmpty || items.length > 0, { error: 'expected at least one item' });
  return defaultValue === undefined ? base : base.default(defaultValue);
}

/** A URL whose scheme is one of `schemes` (e.g. ['mongodb', 'mongodb+srv']). */
export function envUrl(schemes: string[], defaultValue?: string) {
  const base = z.string({ error: 'required' }).refine(
    (raw) => {
      try {
        const url = new URL(raw);
        return schemes.includes(url.protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { error: `expected ${schemes.join(' or ')} URL` },
  );
  return defaultValue === undefined ? base : base.default(defaultValue);
}

/** A non-empty string. */
export function envString(defaultValue?: string) {
  const base = z.string({ error: 'required' }).min(1, { error: 'must not be empty' });
  return defaultValue === undefined ? base : base.default(defaultValue);
}

/** A size in body-parser's syntax (`100kb`, `2mb`, `512b`), e.g. a request body limit. */
export function envByteSize(defaultValue: string) {
  return envString(defaultValue).refine((raw) => /^\d+(b|kb|mb)$/i.test(raw), {
    error: 'expected a size like 100kb or 1mb',
  });
}
