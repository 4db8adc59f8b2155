import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { podsOf } from './support/policy';
import { STANDALONE_VALUES, umbrellaValueSets } from './support/render';
import { containerEnv, productionSecretVariables } from './support/service-config';
import { useK8s } from './support/setup';
import {
  CHARTS_DIR,
  helmTemplate,
  K8S_DIR,
  parseManifests,
  serviceCharts,
  VALUES_DIR,
  type Manifest,
} from './support/tools';

// The display-code master key (ARCHITECTURE.md §5, issue 10): one Kubernetes Secret given to ticket and checkin,
// "never a Kafka payload, never in values". The chart reads it only through secretEnv + existingSecret, and
// values.schema.json refuses every other way in (a `config` entry, which would land in a ConfigMap, or an
// `extraEnv` value), for it and for every other variable a service requires from a Secret in production.

const k8s = useK8s({ charts: true });

const RELEASE = 'ticketing';
const KEY = 'DISPLAY_CODE_MASTER_KEY';
/** The services that show (ticket) or verify (checkin) rotating codes: the only holders of the key. */
const HOLDERS = ['ticket', 'checkin'];

const umbrella = () => join(k8s.chartsDir, 'ticketing');
const render = (set: string[], values: string[] = []) =>
  helmTemplate(k8s.tools.helm, umbrella(), { set, values });

describe.each(umbrellaValueSets())(
  '$name values: DISPLAY_CODE_MASTER_KEY only ever from a Secret',
  ({ file }) => {
    let text: string;
    let manifests: Manifest[];

    beforeAll(() => {
      const result = helmTemplate(k8s.tools.helm, umbrella(), { values: [file], release: RELEASE });
      expect(result.code).toBe(0);
      text = result.stdout;
      manifests = parseManifests(text);
    });

    it('is one secretKeyRef (key display-code-master-key) in ticket and checkin, and nowhere else', () => {
      const umbrellaValues = YAML.parse(readFileSync(join(CHARTS_DIR, 'ticketing', 'values.yaml'), 'utf8'));
      const overrides = YAML.parse(readFileSync(file, 'utf8')) ?? {};
      const holders: string[] = [];
      for (const pod of podsOf(manifests)) {
        const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
        for (const container of containers) {
          const entries = (container.env ?? []).filter((e: any) => e.name === KEY);
          if (entries.length === 0) continue;
          holders.push(pod.owner);
          expect(entries, pod.owner).toHaveLength(1);
          const [entry] = entries;
          expect(entry, pod.owner).not.toHaveProperty('value');
          const svc = pod.owner.replace(`Deployment/${RELEASE}-`, '');
          const secret = overrides[svc]?.existingSecret ?? umbrellaValues[svc].existingSecret;
          expect(secret, pod.owner).toMatch(/\S/);
          expect(entry.valueFrom, pod.owner).toEqual({
            secretKeyRef: { name: secret, key: 'display-code-master-key' },
          });
          for (const source of container.envFrom ?? [])
            expect(source, `${pod.owner} envFrom`).not.toHaveProperty('secretRef');
        }
      }
      expect(holders.sort()).toEqual(HOLDERS.map((svc) => `Deployment/${RELEASE}-${svc}`).sort());
      for (const svc of HOLDERS) {
        const { env, fromSecrets } = containerEnv(manifests, `${RELEASE}-${svc}`);
        expect(fromSecrets.has(KEY), svc).toBe(true);
        expect(env[KEY], svc).toMatch(/^stand-in-/); // the Secret's stand-in: nothing else provides it
      }
    });

    it('is in no ConfigMap and nowhere else in the rendered manifests', () => {
      for (const configMap of manifests.filter((m) => m.kind === 'ConfigMap'))
        expect(Object.keys(configMap.data ?? {}), configMap.metadata.name).not.toContain(KEY);
      // Its name appears only as the two env entries' names.
      expect(text.match(new RegExp(KEY, 'g'))).toHaveLength(HOLDERS.length);
      expect(text.match(new RegExp(`^\\s*- name: ${KEY}$`, 'gm'))).toHaveLength(HOLDERS.length);
    });
  },
);

describe('values cannot carry a Secret-only variable as a plain value', () => {
  /** Every variable any service requires from a Secret in production (with DISPLAY_CODE_MASTER_KEY). */
  let secretOnly: Array<[string, string]> = [];

  beforeAll(async () => {
    const manifests = parseManifests(render([]).stdout);
    for (const svc of serviceCharts()) {
      const { env } = containerEnv(manifests, `${RELEASE}-${svc}`);
      for (const variable of await productionSecretVariables(svc, env)) secretOnly.push([svc, variable]);
    }
    secretOnly = secretOnly.sort();
    expect(secretOnly).toEqual(
      expect.arrayContaining([
        ['checkin', KEY],
        ['ticket', KEY],
      ]),
    );
  });

  it('refuses `config.<variable>` (it would sit in a ConfigMap) for ticket and checkin, and for every Secret-only variable', () => {
    for (const [svc, variable] of secretOnly) {
      const result = render([`${svc}.config.${variable}=plain-value-of-32-characters-or-more`]);
      expect(result.code, `${svc}.config.${variable}`).not.toBe(0);
      expect(result.stderr, `${svc}.config.${variable}`).toContain(`${svc}:`);
      expect(result.stderr, `${svc}.config.${variable}`).toContain(`invalid propertyName '${variable}'`);
      expect(result.stdout, `${svc}.config.${variable}`).not.toContain('plain-value-of-32');
    }
  });

  it('refuses the key as a plain extraEnv value, and accepts it there by secretKeyRef', () => {
    for (const svc of HOLDERS) {
      const plain = render([`${svc}.extraEnv[0].name=${KEY}`, `${svc}.extraEnv[0].value=plain-value`]);
      expect(plain.code, svc).not.toBe(0);
      expect(plain.stderr, svc).toContain(`${svc}:`);
      expect(plain.stderr, svc).toMatch(/extraEnv\/0/);
      const both = render([
        `${svc}.extraEnv[0].name=${KEY}`,
        `${svc}.extraEnv[0].value=plain-value`,
        `${svc}.extraEnv[0].valueFrom.secretKeyRef.name=other`,
        `${svc}.extraEnv[0].valueFrom.secretKeyRef.key=k`,
      ]);
      expect(both.code, svc).not.toBe(0);
      const byRef = render([
        `${svc}.extraEnv[0].name=${KEY}`,
        `${svc}.extraEnv[0].valueFrom.secretKeyRef.name=other`,
        `${svc}.extraEnv[0].valueFrom.secretKeyRef.key=k`,
      ]);
      expect(byRef.stderr, svc).toBe('');
      expect(byRef.code, svc).toBe(0);
      // The control: any other variable may still be a plain extraEnv value or config entry.
      const other = render([
        `${svc}.extraEnv[0].name=SOME_SETTING`,
        `${svc}.extraEnv[0].value=plain`,
        `${svc}.config.OTHER_SETTING=plain`,
      ]);
      expect(other.stderr, svc).toBe('');
      expect(other.code, svc).toBe(0);
    }
  });

  it('refuses `config.DISPLAY_CODE_MASTER_KEY` on the checkin and ticket charts installed on their own', () => {
    for (const svc of HOLDERS) {
      const result = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, svc), {
        values: [STANDALONE_VALUES],
        release: 'solo',
        set: [`config.${KEY}=plain-value-of-32-characters-or-more`],
      });
      expect(result.code, svc).not.toBe(0);
      expect(result.stderr, svc).toContain(`invalid propertyName '${KEY}'`);
    }
  });

  it('is only a secretEnv key (never a value) in every values file of the repository', () => {
    const files = [
      ...serviceCharts().map((svc) => join(CHARTS_DIR, svc, 'values.yaml')),
      join(CHARTS_DIR, 'ticketing', 'values.yaml'),
      ...readdirSync(VALUES_DIR)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(VALUES_DIR, f)),
      join(K8S_DIR, 'values-kind.yaml'),
    ];
    const places: string[] = [];
    const walk = (node: unknown, path: string[]) => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, [...path, String(i)]));
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === KEY) places.push([...path, key].join('.'));
          walk(value, [...path, key]);
        }
      } else if (typeof node === 'string' && node.includes(KEY)) places.push(`${path.join('.')} (a value)`);
    };
    for (const f of files) {
      const rel = f.slice(f.indexOf('/charts/') >= 0 ? f.indexOf('/charts/') + 1 : f.indexOf('/k8s/') + 1);
      walk(YAML.parse(readFileSync(f, 'utf8')), [rel]);
    }
    expect(places.sort()).toEqual([
      'charts/checkin/values.yaml.secretEnv.DISPLAY_CODE_MASTER_KEY',
      'charts/ticket/values.yaml.secretEnv.DISPLAY_CODE_MASTER_KEY',
    ]);
  });
});
