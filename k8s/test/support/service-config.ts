/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML documents */
import { ConfigError, loadConfig, type ConfigProblem } from '@ticketing/platform';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { REPO_ROOT, type Manifest } from './tools';

/**
 * The environment a rendered container starts with, checked against the service's own config schema
 * (services/<svc>/src/config.ts, the one `loadConfig` validates at boot). Values read from Secrets are not in
 * the manifests; they are replaced by well-formed stand-ins, so only a missing or malformed variable fails.
 */

/** Path of a service's config module. */
export const configSource = (svc: string) => join(REPO_ROOT, 'services', svc, 'src', 'config.ts');

/** The service's exported config schema (`<svc>ConfigSchema`), loaded from its source. */
export async function serviceConfigSchema(svc: string): Promise<z.ZodObject> {
  const mod = (await import(/* @vite-ignore */ configSource(svc))) as Record<string, unknown>;
  const schemas = Object.entries(mod).filter(
    ([name, value]) => name.endsWith('ConfigSchema') && typeof (value as any)?.safeParse === 'function',
  );
  if (schemas.length !== 1) {
    throw new Error(
      `services/${svc}/src/config.ts must export exactly one *ConfigSchema (found ${schemas.length})`,
    );
  }
  return schemas[0][1] as z.ZodObject;
}

function ed25519Jwk(): Record<string, unknown> {
  const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: 'stand-in', alg: 'EdDSA', use: 'sig' };
}

/** Stand-ins for values that come from Secrets (shaped like the real ones), by variable name. */
const SECRET_STAND_INS: Record<string, () => string> = {
  MONGO_URL: () => 'mongodb://user:secret@mongo.invalid:27017/?replicaSet=rs0',
  REDIS_URL: () => 'redis://:secret@redis.invalid:6379',
  AUTH_SIGNING_KEYS: () => JSON.stringify([ed25519Jwk()]),
  TICKET_SIGNING_KEY: () => JSON.stringify(ed25519Jwk()),
  // Public keys of retired QR signing keys (a rotation's overlap): a JSON array of public Ed25519 JWKs.
  TICKET_PREVIOUS_PUBLIC_KEYS: () =>
    JSON.stringify([generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' })]),
  // 64 characters, like the key k8s/cluster-up.sh generates (at least 32 are required).
  DISPLAY_CODE_MASTER_KEY: () => 'stand-in-display-code-master-key-'.padEnd(64, 'x'),
};

export interface ContainerEnv {
  /** Variable -> value as the process would see it (ConfigMap data first, `env` entries override). */
  env: Record<string, string>;
  /** Variables whose value comes from a Secret. */
  fromSecrets: Set<string>;
  /** Of those, the ones whose Secret key may be missing (`optional: true`): the process may start without them. */
  optionalSecrets: Set<string>;
}

/** The environment of the first container of `kind/name`, with `envFrom` ConfigMaps resolved from `manifests`. */
export function containerEnv(manifests: Manifest[], name: string, kind = 'Deployment'): ContainerEnv {
  const workload = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!workload) throw new Error(`${kind}/${name} is not rendered`);
  const container = workload.spec.template.spec.containers[0];
  const env: Record<string, string> = {};
  const fromSecrets = new Set<string>();
  const optionalSecrets = new Set<string>();
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef)
      throw new Error(`${kind}/${name}: envFrom other than a ConfigMap is not modelled`);
    const configMap = manifests.find(
      (m) => m.kind === 'ConfigMap' && m.metadata.name === source.configMapRef.name,
    );
    if (!configMap) throw new Error(`${kind}/${name}: ConfigMap ${source.configMapRef.name} is not rendered`);
    Object.assign(env, configMap.data ?? {});
  }
  for (const entry of container.env ?? []) {
    if (entry.valueFrom?.secretKeyRef) {
      env[entry.name] = (SECRET_STAND_INS[entry.name] ?? (() => 'secret-stand-in'))();
      fromSecrets.add(entry.name);
      if (entry.valueFrom.secretKeyRef.optional === true) optionalSecrets.add(entry.name);
    } else if (entry.valueFrom) {
      throw new Error(`${kind}/${name}: ${entry.name} uses a valueFrom that is not modelled`);
    } else {
      env[entry.name] = String(entry.value ?? '');
    }
  }
  return { env, fromSecrets, optionalSecrets };
}

/** What `loadConfig` would refuse at boot (empty when the service starts with this environment). */
export function bootProblems(schema: z.ZodObject, env: Record<string, string>): ConfigProblem[] {
  try {
    loadConfig(schema, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
}

/** The message of a "required in production" refinement (a service's own, or the platform's shared one). */
const REQUIRED_IN_PRODUCTION = /^is required when NODE_ENV=production/;

/**
 * Variables a service requires from a Secret in production: those whose absence from `env` (a rendered production
 * environment) makes its config schema answer "is required when NODE_ENV=production". Asked of the schema itself,
 * so a refinement shared from the platform (`refuseDevDisplayCodeKey` for DISPLAY_CODE_MASTER_KEY, which no
 * service's config.ts spells out) counts as much as one written in the service's source. Candidates: every
 * variable of `env`, every Secret stand-in, and each `path: ['X']` of such a refinement in the source.
 */
export async function productionSecretVariables(svc: string, env: Record<string, string>): Promise<string[]> {
  const schema = await serviceConfigSchema(svc);
  const source = readFileSync(configSource(svc), 'utf8');
  const named = [
    ...source.matchAll(/path: \['([A-Z0-9_]+)'\],\s*message: 'is required when NODE_ENV=production/g),
  ].map((m) => m[1]);
  const candidates = new Set([...Object.keys(env), ...Object.keys(SECRET_STAND_INS), ...named]);
  const required: string[] = [];
  for (const variable of candidates) {
    const without = Object.fromEntries(Object.entries(env).filter(([name]) => name !== variable));
    const problems = bootProblems(schema, without);
    if (problems.some((p) => p.variable === variable && REQUIRED_IN_PRODUCTION.test(p.problem)))
      required.push(variable);
  }
  return required.sort();
}
