import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { secretViolations, securityViolations } from './support/policy';
import { chartExists, STANDALONE_VALUES, umbrellaValueSets } from './support/render';
import {
  CHARTS_DIR,
  helmTemplate,
  kubeconform,
  parseManifests,
  REPO_ROOT,
  run,
  serviceCharts,
  VALUES_DIR,
} from './support/tools';
import { useK8s } from './support/setup';

// helm lint --strict of every chart (service charts on their own and the umbrella with every value set),
// standalone renders of each service chart, and the chart conventions (library, schema, NOTES, helm test).

const k8s = useK8s({ charts: true, crds: true });

const lint = (chart: string, values: string[] = []) =>
  run(k8s.tools.helm, [
    'lint',
    '--strict',
    join(k8s.chartsDir, chart),
    ...values.flatMap((v) => ['--values', v]),
  ]);

describe('helm lint --strict', () => {
  it('passes for the service-lib library chart', () => {
    const result = lint('service-lib');
    expect(result.stdout).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    expect(result.code).toBe(0);
  });

  it.each(serviceCharts())('passes for the %s chart with standalone values', (chart) => {
    const result = lint(chart, [STANDALONE_VALUES]);
    expect(result.stdout).toMatch(/0 chart\(s\) failed/);
    expect(result.code).toBe(0);
  });

  it.each(umbrellaValueSets())('passes for the umbrella chart with $name values', ({ file }) => {
    const result = lint('ticketing', [file]);
    expect(result.stdout).toMatch(/0 chart\(s\) failed/);
    expect(result.code).toBe(0);
  });
});

describe.each(serviceCharts())('the %s chart on its own', (chart) => {
  it('renders with standalone values and passes kubeconform strict', () => {
    const rendered = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, chart), {
      values: [STANDALONE_VALUES],
      release: 'solo',
    });
    expect(rendered.stderr).toBe('');
    expect(rendered.code).toBe(0);
    const kinds = parseManifests(rendered.stdout).map((m) => m.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment',
        'Service',
        'ServiceAccount',
        'ConfigMap',
        'NetworkPolicy',
        'Pod',
      ]),
    );
    const result = kubeconform(k8s.tools, k8s.crds, [], rendered.stdout);
    expect(result.stdout).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
    expect(result.code).toBe(0);
  });

  it('is built on service-lib with a values schema, NOTES.txt and a helm test', () => {
    const meta = YAML.parse(readFileSync(join(CHARTS_DIR, chart, 'Chart.yaml'), 'utf8'));
    expect(meta.type).toBe('application');
    expect(meta.dependencies).toEqual([
      { name: 'service-lib', version: '0.1.0', repository: 'file://../service-lib' },
    ]);
    const schema = JSON.parse(readFileSync(join(CHARTS_DIR, chart, 'values.schema.json'), 'utf8'));
    expect(schema.additionalProperties).toBe(false);
    expect(readFileSync(join(CHARTS_DIR, chart, 'templates', 'NOTES.txt'), 'utf8')).toContain(
      'service-lib.notes',
    );
    const test = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, chart), {
      values: [STANDALONE_VALUES],
      release: 'solo',
    });
    const pod = parseManifests(test.stdout).find((m) => m.kind === 'Pod')!;
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    expect(pod.spec.containers[0].args[0]).toMatch(/\/healthz.*\/readyz/s);
  });

  it('is a dependency of the umbrella, switched by <service>.enabled', () => {
    const umbrella = YAML.parse(readFileSync(join(CHARTS_DIR, 'ticketing', 'Chart.yaml'), 'utf8'));
    expect(umbrella.dependencies).toContainEqual({
      name: chart,
      version: '0.1.0',
      repository: `file://../${chart}`,
      condition: `${chart}.enabled`,
    });
    // The gateway must then route to the other subgraphs only (web is no subgraph).
    const rest = serviceCharts().filter((c) => c !== chart && c !== 'gateway' && c !== 'web');
    const off = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), {
      values: [join(VALUES_DIR, 'defaults.yaml')],
      set: [
        `${chart}.enabled=false`,
        chart === 'gateway' ? 'ingress.enabled=false' : `gateway.subgraphs={${rest.join(',')}}`,
      ],
    });
    expect(off.stderr).toBe('');
    expect(off.code).toBe(0);
    const names = parseManifests(off.stdout)
      .filter((m) => m.kind === 'Deployment')
      .map((m) => m.metadata.name);
    expect(names).not.toContain(`ticketing-${chart}`);
    expect(names.length).toBe(serviceCharts().length - 1);
  });
});

describe('the seed-admin hook Job of the auth chart', () => {
  const render = (set: string[]) =>
    helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'auth'), {
      values: [STANDALONE_VALUES],
      release: 'solo',
      set,
    });
  const enabled = [
    'seedAdmin.enabled=true',
    'seedAdmin.email=ops@example.com',
    'seedAdmin.existingSecret=admin-pw',
  ];

  it('is off by default', () => {
    const rendered = render([]);
    expect(rendered.code).toBe(0);
    expect(parseManifests(rendered.stdout).filter((m) => m.kind === 'Job')).toEqual([]);
  });

  it('runs the seed-admin command of the image after install and upgrade, the password from a Secret', () => {
    const rendered = render(enabled);
    expect(rendered.stderr).toBe('');
    const manifests = parseManifests(rendered.stdout);
    const job = manifests.find((m) => m.kind === 'Job')!;
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('post-install,post-upgrade');
    const container = job.spec.template.spec.containers[0];
    // The entry point the auth image builds from services/auth/src/seed-admin.ts.
    expect(container.command).toEqual(['node', 'services/auth/dist/seed-admin.js']);
    expect(existsSync(join(REPO_ROOT, 'services', 'auth', 'src', 'seed-admin.ts'))).toBe(true);
    expect(container.image).toBe(
      manifests.find((m) => m.kind === 'Deployment')!.spec.template.spec.containers[0].image,
    );
    const env = Object.fromEntries(container.env.map((e: { name: string }) => [e.name, e]));
    expect(env.ADMIN_PASSWORD.valueFrom.secretKeyRef).toEqual({ name: 'admin-pw', key: 'password' });
    expect(env.ADMIN_EMAIL.value).toBe('ops@example.com');
    expect(env.MONGO_URL.valueFrom.secretKeyRef.name).toBe('standalone-mongo');
    expect(secretViolations(manifests)).toEqual([]);
    expect(securityViolations(manifests)).toEqual([]);
    const policy = manifests.find(
      (m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'solo-auth-seed-admin',
    );
    expect(policy?.spec.podSelector.matchLabels).toEqual({
      'app.kubernetes.io/instance': 'solo',
      'app.kubernetes.io/component': 'seed-admin',
    });
    const result = kubeconform(k8s.tools, k8s.crds, [], rendered.stdout);
    expect(result.stdout).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
  });

  it('refuses to render without the Secret holding the password', () => {
    const rendered = render(enabled.slice(0, 2));
    expect(rendered.code).not.toBe(0);
    expect(rendered.stderr).toContain('seedAdmin.existingSecret must name the Secret holding ADMIN_PASSWORD');
  });
});

describe('secretEnv entries (service-lib)', () => {
  const render = (set: string[]) =>
    helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticket'), {
      values: [STANDALONE_VALUES],
      release: 'solo',
      set,
    });
  const secretRefs = (text: string) => {
    const deployment = parseManifests(text).find((m) => m.kind === 'Deployment')!;
    const env: Array<{ name: string; valueFrom?: { secretKeyRef?: unknown } }> =
      deployment.spec.template.spec.containers[0].env;
    return Object.fromEntries(
      env.filter((e) => e.valueFrom?.secretKeyRef).map((e) => [e.name, e.valueFrom!.secretKeyRef]),
    );
  };

  it('take a key name (required) or {key, optional} (ticket: its previous QR public keys)', () => {
    const rendered = render([
      'secretEnv.EXTRA_REQUIRED.key=extra',
      'secretEnv.EXTRA_REQUIRED.optional=false',
    ]);
    expect(rendered.stderr).toBe('');
    expect(secretRefs(rendered.stdout)).toEqual({
      DISPLAY_CODE_MASTER_KEY: { name: 'standalone-secrets', key: 'display-code-master-key' },
      EXTRA_REQUIRED: { name: 'standalone-secrets', key: 'extra' },
      MONGO_URL: { name: 'standalone-mongo', key: 'connectionString.standard' },
      TICKET_PREVIOUS_PUBLIC_KEYS: {
        name: 'standalone-secrets',
        key: 'previous-public-keys',
        optional: true,
      },
      TICKET_SIGNING_KEY: { name: 'standalone-secrets', key: 'signing-key' },
    });
  });

  it.each([
    ['optional=yes', ['secretEnv.TICKET_PREVIOUS_PUBLIC_KEYS.optional=yes']],
    ['no key', ['secretEnv.TICKET_PREVIOUS_PUBLIC_KEYS.key=null']],
    ['an empty key', ['secretEnv.TICKET_PREVIOUS_PUBLIC_KEYS.key=']],
    ['an unknown field', ['secretEnv.TICKET_PREVIOUS_PUBLIC_KEYS.name=other']],
  ])('are refused by values.schema.json with %s', (_name, set) => {
    const rendered = render(set);
    expect(rendered.code).not.toBe(0);
    expect(rendered.stderr).toContain('secretEnv');
  });
});

describe('umbrella chart', () => {
  it('lists exactly the service charts that exist as dependencies', () => {
    const umbrella = YAML.parse(readFileSync(join(CHARTS_DIR, 'ticketing', 'Chart.yaml'), 'utf8'));
    expect(umbrella.dependencies.map((d: { name: string }) => d.name).sort()).toEqual(serviceCharts());
  });

  it('sends / to web only when a web chart exists and is enabled', () => {
    const rendered = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), {});
    const ingress = parseManifests(rendered.stdout).find((m) => m.kind === 'Ingress')!;
    const paths = ingress.spec.rules[0].http.paths.map((p: { path: string }) => p.path);
    expect(paths).toEqual(chartExists('web') ? ['/graphql', '/'] : ['/graphql']);
  });

  it.each(umbrellaValueSets())(
    'NOTES.txt ($name values) names every Secret the release reads but does not create',
    ({ file }) => {
      const install = run(k8s.tools.helm, [
        'install',
        'ticketing',
        join(k8s.chartsDir, 'ticketing'),
        '--namespace',
        'ticketing',
        '--dry-run=client',
        '--values',
        file,
      ]);
      expect(install.code).toBe(0);
      const notes = install.stdout.slice(install.stdout.indexOf('NOTES:'));
      expect(notes).toContain('http');
      const external = parseManifests(install.stdout.slice(0, install.stdout.indexOf('NOTES:')))
        .filter((m) => m.metadata)
        .flatMap((m) => [m.metadata.annotations, m.spec?.template?.metadata?.annotations])
        .flatMap((a) => (a?.['ticketing.io/external-secrets'] ?? '').split(','))
        .filter(Boolean);
      expect(external.length).toBeGreaterThan(0);
      for (const secret of new Set(external)) expect(notes).toContain(`  ${secret}   `);
    },
  );

  it('refuses gateway.subgraphs that differ from the enabled subgraph charts', () => {
    const disabled = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), {
      set: ['event.enabled=false'],
    });
    expect(disabled.code).not.toBe(0);
    // The subgraphs the umbrella lists (grows as services land), and those left with event disabled.
    const listed: string[] = YAML.parse(readFileSync(join(k8s.chartsDir, 'ticketing', 'values.yaml'), 'utf8'))
      .gateway.subgraphs;
    const withoutEvent = listed.filter((s) => s !== 'event').sort();
    expect(disabled.stderr).toContain(
      `gateway.subgraphs is [${listed.join(', ')}] but the enabled subgraphs are [${withoutEvent.join(', ')}]`,
    );
    const missing = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), {
      set: ['gateway.subgraphs={auth,event}'],
    });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain(`set gateway.subgraphs={${[...listed].sort().join(',')}}`);
  });

  it('rejects an ingress without the gateway', () => {
    const result = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), {
      set: ['gateway.enabled=false'],
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ingress.enabled needs gateway.enabled');
  });
});
