import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { dockerfileViolations, skaffoldViolations, workspaceChain } from './support/delivery';
import { CHARTS_DIR, K8S_DIR, REPO_ROOT, run, serviceCharts } from './support/tools';
import { useK8s } from './support/setup';

// Everything around the charts: Dockerfiles, skaffold, the GitHub workflows, the shell scripts and the
// "every service is wired everywhere" rule that makes adding a service mechanical.

const k8s = useK8s();

/** Node services: every services/<name> with a NestJS entry point (web, a static SPA, will differ). */
const nodeServices = readdirSync(join(REPO_ROOT, 'services'), { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(REPO_ROOT, 'services', d.name, 'src', 'main.ts')))
  .map((d) => d.name)
  .sort();
const read = (...parts: string[]) => readFileSync(join(REPO_ROOT, ...parts), 'utf8');

describe('services are wired everywhere', () => {
  it('finds the services that exist', () => {
    expect(nodeServices).toEqual(expect.arrayContaining(['auth', 'event', 'gateway']));
  });

  it.each(nodeServices)('%s has a Dockerfile, a chart, an umbrella entry and a skaffold artifact', (svc) => {
    expect(existsSync(join(REPO_ROOT, 'services', svc, 'Dockerfile'))).toBe(true);
    expect(serviceCharts()).toContain(svc);
    const umbrella = YAML.parse(read('charts', 'ticketing', 'values.yaml'));
    expect(umbrella[svc]?.enabled).toBe(true);
    const skaffold = YAML.parse(read('skaffold.yaml'));
    expect(skaffold.build.artifacts.map((a: { image: string }) => a.image)).toContain(svc);
    const chartValues = YAML.parse(readFileSync(join(CHARTS_DIR, svc, 'values.yaml'), 'utf8'));
    expect(chartValues.image.repository).toBe(svc);
  });

  it('has no chart without a service', () => {
    for (const chart of serviceCharts()) expect(nodeServices, chart).toContain(chart);
  });
});

describe.each(nodeServices)('services/%s/Dockerfile', (svc) => {
  it('is a pinned multi-stage build of contracts -> platform -> service, running as node in production', () => {
    const chain = workspaceChain(svc);
    expect(chain.at(-1)).toBe(`@ticketing/${svc}`);
    expect(dockerfileViolations(read('services', svc, 'Dockerfile'), svc, chain)).toEqual([]);
  });

  it('builds on the Node that make installs (scripts/node-env.sh), Node 24', () => {
    const pinned = /^NODE_VERSION="(\d+\.\d+\.\d+)"/m.exec(read('scripts', 'node-env.sh'))?.[1];
    expect(pinned).toMatch(/^24\./);
    expect(read('services', svc, 'Dockerfile')).toMatch(
      new RegExp(`^ARG NODE_IMAGE=node:${pinned!.replace(/\./g, '\\.')}-bookworm-slim$`, 'm'),
    );
  });

  it('listens on the port its chart probes', () => {
    const values = YAML.parse(readFileSync(join(CHARTS_DIR, svc, 'values.yaml'), 'utf8'));
    expect(read('services', svc, 'Dockerfile')).toMatch(new RegExp(`^EXPOSE ${values.containerPort}$`, 'm'));
  });
});

describe('the root .dockerignore', () => {
  it('sends only manifests, sources and schemas, never node_modules, builds or tests', () => {
    const lines = read('.dockerignore')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    expect(lines[0]).toBe('*');
    for (const entry of ['**/node_modules', '**/dist', '**/*.spec.ts']) expect(lines).toContain(entry);
    for (const entry of [
      '!package-lock.json',
      '!packages/*/src',
      '!services/*/src',
      '!services/*/schema.graphql',
    ]) {
      expect(lines).toContain(entry);
    }
  });
});

describe('skaffold.yaml', () => {
  it('has one artifact per service built from the root, deploys the umbrella with those images, has dev and ci', () => {
    expect(skaffoldViolations(read('skaffold.yaml'), nodeServices)).toEqual([]);
  });

  it('port-forwards the gateway Service the umbrella renders', () => {
    const skaffold = YAML.parse(read('skaffold.yaml'));
    const release = skaffold.deploy.helm.releases[0];
    expect(skaffold.portForward).toContainEqual(
      expect.objectContaining({
        resourceType: 'service',
        resourceName: `${release.name}-gateway`,
        port: 4000,
      }),
    );
  });
});

describe('GitHub workflows', () => {
  const workflows = readdirSync(join(REPO_ROOT, '.github', 'workflows')).filter((f) => /\.ya?ml$/.test(f));

  it('pass actionlint', () => {
    const result = run(k8s.tools.actionlint, [
      '-no-color',
      ...workflows.map((f) => join('.github', 'workflows', f)),
    ]);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('cover tests with real servers, image builds without pushing on PRs, chart validation and a kind e2e', () => {
    const all = workflows.map((f) => read('.github', 'workflows', f)).join('\n');
    expect(all).toMatch(/run: make test/);
    for (const image of ['mongo:8', 'apache/kafka:', 'redis:']) expect(all).toContain(image);
    expect(all).toMatch(/docker\/build-push-action/);
    expect(all).toMatch(/push: \$\{\{ env\.PUSH == 'true' \}\}/);
    expect(all).toMatch(/PUSH: \$\{\{ github\.event_name == 'push'/);
    expect(all).toMatch(/bash k8s\/validate\.sh/);
    expect(all).toMatch(/make cluster-up/);
    expect(all).toMatch(/make deploy/);
    expect(all).toMatch(/GATEWAY_URL: http:\/\/localhost\/graphql/);
  });

  it('set up Node from .nvmrc, which names Node 24', () => {
    expect(read('.nvmrc').trim()).toBe('24');
    const steps = workflows.flatMap((f) =>
      Object.values(
        YAML.parse(read('.github', 'workflows', f)).jobs as Record<
          string,
          { steps: { uses?: string; with?: object }[] }
        >,
      ).flatMap((job) => job.steps.filter((step) => step.uses?.startsWith('actions/setup-node@'))),
    );
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(step.with).toMatchObject({ 'node-version-file': '.nvmrc' });
  });

  it('runs the journey test through the ingress without the local stack', () => {
    const e2e = YAML.parse(read('.github', 'workflows', 'e2e.yml'));
    const steps = Object.values(
      e2e.jobs as Record<string, { steps: { run?: string; env?: object }[] }>,
    ).flatMap((job) => job.steps);
    const journey = steps.filter((step) => step.run?.includes('tests/journeys/journey.e2e-spec.ts'));
    expect(journey).toHaveLength(1);
    expect(journey[0].run).toBe('npx vitest run tests/journeys/journey.e2e-spec.ts');
    expect(journey[0].env).toEqual({
      GATEWAY_URL: 'http://localhost/graphql',
      CI: 'true',
      TEST_REQUIRE_INFRA: '0',
    });
  });
});

describe('k8s shell scripts', () => {
  const scripts = [
    ...readdirSync(K8S_DIR)
      .filter((f) => f.endsWith('.sh'))
      .map((f) => join(K8S_DIR, f)),
    ...readdirSync(join(K8S_DIR, 'tools'))
      .filter((f) => f.endsWith('.sh'))
      .map((f) => join(K8S_DIR, 'tools', f)),
  ];

  it.each(scripts.map((s) => [s.slice(REPO_ROOT.length + 1), s]))(
    '%s parses and passes shellcheck when available',
    (_, script) => {
      expect(run('bash', ['-n', script]).code).toBe(0);
      const shellcheck = run('bash', ['-c', 'command -v shellcheck']);
      if (shellcheck.code === 0) {
        const result = run('shellcheck', ['-x', '-P', 'SCRIPTDIR', script]);
        expect(result.stdout).toBe('');
        expect(result.code).toBe(0);
      }
    },
  );

  it('use only the pinned versions file for versions', () => {
    for (const script of scripts) {
      expect(readFileSync(script, 'utf8'), script).not.toMatch(/--version [0-9v]/);
    }
  });
});

describe('docs', () => {
  it('has the adding-a-service checklist and the README section', () => {
    const checklist = read('docs', 'adding-a-service.md');
    for (const step of [
      'Dockerfile',
      'charts/',
      'skaffold.yaml',
      'charts/ticketing',
      'k8s/infra/mongodb.yaml',
    ]) {
      expect(checklist).toContain(step);
    }
    expect(read('README.md')).toMatch(/^## Run on Kubernetes/m);
  });
});
