import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CHARTS_DIR, K8S_DIR, VALUES_DIR } from './tools';

/** The value sets the umbrella is rendered with: k8s/test/values/*.yaml (but standalone) and the kind values. */
export function umbrellaValueSets(): { name: string; file: string }[] {
  const sets = readdirSync(VALUES_DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'standalone.yaml')
    .sort()
    .map((f) => ({ name: basename(f, '.yaml'), file: join(VALUES_DIR, f) }));
  return [...sets, { name: 'kind', file: join(K8S_DIR, 'values-kind.yaml') }];
}

export const STANDALONE_VALUES = join(VALUES_DIR, 'standalone.yaml');

/** Services whose chart exists; check-in and pricing join when their charts do. */
export const chartExists = (name: string) => existsSync(join(CHARTS_DIR, name, 'Chart.yaml'));

/** ARCHITECTURE.md §9: HPAs on by default for ticket and checkin (checkin once it exists). */
export function defaultHpaServices(): string[] {
  return ['ticket', 'checkin'].filter(chartExists);
}

/** What each service talks to (ARCHITECTURE.md §2 and the platform README): its infrastructure dependencies. */
export const INFRA_USE: Record<string, ('kafka' | 'mongo' | 'redis')[]> = {
  gateway: ['redis'],
  auth: ['kafka', 'mongo', 'redis'],
  event: ['kafka', 'mongo', 'redis'],
  ticket: ['kafka', 'mongo', 'redis'],
  checkin: ['kafka', 'mongo', 'redis'],
  pricing: ['kafka', 'mongo', 'redis'],
  web: [],
};

/** Services reached from the ingress controller. */
export const PUBLIC_SERVICES = ['gateway', 'web'];
/** Subgraphs: called by the gateway; all but auth fetch the auth JWKS. */
export const SUBGRAPHS = ['auth', 'event', 'ticket', 'checkin', 'pricing'];
