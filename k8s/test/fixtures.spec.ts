import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerfileViolations, skaffoldViolations } from './support/delivery';
import { NetworkModel, type Endpoint } from './support/network';
import {
  ingressViolations,
  probeViolations,
  scalingViolations,
  secretViolations,
  securityViolations,
} from './support/policy';
import { FIXTURES_DIR, REPO_ROOT, helmTemplate, kubeconform, parseManifests, run } from './support/tools';
import { bootProblems, containerEnv, serviceConfigSchema } from './support/service-config';
import { useK8s } from './support/setup';

// The deliberately broken inputs in k8s/test/fixtures/: each check must reject them, naming the problem.
// If one of these passes, the corresponding validation has stopped working.

const k8s = useK8s({ charts: true, crds: true });
const fixture = (name: string) => join(FIXTURES_DIR, name);
const manifestsOf = (name: string) => parseManifests(readFileSync(fixture(name), 'utf8'));

describe('schema checks reject broken manifests', () => {
  it('fails kubeconform on a misspelt field and a wrongly typed one', () => {
    const result = kubeconform(k8s.tools, k8s.crds, [fixture('invalid-schema.yaml')]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('contianers');
    expect(result.stdout).toMatch(/replicas/);
    expect(result.stdout).toMatch(/Invalid: 1/);
  });

  it('fails kubeconform on custom resources that break the Strimzi and MongoDB CRDs', () => {
    const result = kubeconform(k8s.tools, k8s.crds, [fixture('invalid-custom-resources.yaml')]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/KafkaTopic broken\.topic is invalid/);
    expect(result.stdout).toMatch(/KafkaNodePool broken-pool is invalid.*storage/);
    expect(result.stdout).toMatch(/MongoDBCommunity broken-mongo is invalid/);
    expect(result.stdout).toMatch(/Invalid: 3/);
  });

  it('accepts the schema-valid insecure fixture, which only the policy checks catch', () => {
    const result = kubeconform(k8s.tools, k8s.crds, [fixture('insecure-workload.yaml')]);
    expect(result.stdout).toMatch(/Invalid: 0, Errors: 0/);
    expect(result.code).toBe(0);
  });
});

describe('policy checks reject an insecure workload', () => {
  const manifests = manifestsOf('insecure-workload.yaml');

  it('names every security problem', () => {
    const violations = securityViolations(manifests).join('\n');
    for (const problem of [
      'runAsNonRoot is not true',
      'runs as uid 0',
      'readOnlyRootFilesystem is not true',
      'allowPrivilegeEscalation is not false',
      'privileged',
      'capabilities do not drop ALL',
      'seccompProfile is not RuntimeDefault',
      'no memory requests',
      'no cpu limits',
      'image insecure:latest is not pinned',
    ]) {
      expect(violations).toContain(problem);
    }
  });

  it('finds the missing probes, Secret, PDB and ingress backend', () => {
    expect(probeViolations(manifests, '/healthz', '/readyz')).toEqual([
      'Deployment/insecure container insecure: no HTTP liveness probe',
      'Deployment/insecure container insecure: no HTTP readiness probe',
    ]);
    expect(secretViolations(manifests)).toEqual([
      'Deployment/insecure: Secret nobody-creates-this is neither rendered nor marked external',
    ]);
    expect(scalingViolations(manifests, [])).toEqual([
      'Deployment/insecure: 2+ pods but no PodDisruptionBudget',
    ]);
    expect(ingressViolations(manifests)).toEqual([
      'Ingress/insecure insecure.example.com/: Service missing-service is not rendered',
    ]);
  });

  it('flags HPAs on the wrong services', () => {
    expect(scalingViolations(manifests, ['ticketing-ticket'])).toContain(
      'HPAs target [], expected [ticketing-ticket]',
    );
  });
});

describe('network policy evaluation', () => {
  const pod = (name: string, labels: Record<string, string>): Endpoint => ({
    name,
    namespace: 'ticketing',
    labels: {
      'app.kubernetes.io/instance': 'ticketing',
      'app.kubernetes.io/part-of': 'ticketing',
      ...labels,
    },
    ports: [{ port: 4001, name: 'http' }],
  });
  const gateway = pod('gateway', { 'app.kubernetes.io/name': 'gateway' });
  const auth = pod('auth', { 'app.kubernetes.io/name': 'auth' });
  const defaultDeny = parseManifests(`
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: ticketing }
spec:
  podSelector: { matchLabels: { app.kubernetes.io/part-of: ticketing } }
  policyTypes: [Ingress, Egress]
`);

  it('allows everything without policies and nothing under a default deny', () => {
    expect(new NetworkModel([]).allowed(gateway, auth, 4001)).toBe(true);
    expect(new NetworkModel(defaultDeny).allowed(gateway, auth, 4001)).toBe(false);
  });
});

describe('chart values that break the rules stop the render', () => {
  const umbrella = () => join(k8s.chartsDir, 'ticketing');

  it('rejects an insecure security context and a latest tag through values.schema.json', () => {
    const lint = run(k8s.tools.helm, [
      'lint',
      '--strict',
      umbrella(),
      '--values',
      fixture('values-insecure.yaml'),
    ]);
    expect(lint.code).not.toBe(0);
    const result = helmTemplate(k8s.tools.helm, umbrella(), { values: [fixture('values-insecure.yaml')] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ticket:');
    for (const field of ['allowPrivilegeEscalation', 'readOnlyRootFilesystem', 'drop', 'tag']) {
      expect(result.stderr).toContain(field);
    }
  });

  it('rejects HPA bounds where the minimum exceeds the maximum', () => {
    const result = helmTemplate(k8s.tools.helm, umbrella(), { values: [fixture('values-hpa-bounds.yaml')] });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('autoscaling.minReplicas must not exceed autoscaling.maxReplicas');
  });

  it('refuses to deploy auth without the Secret holding its signing keys', () => {
    const result = helmTemplate(k8s.tools.helm, umbrella(), {
      values: [fixture('values-missing-secret.yaml')],
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('existingSecret is required: AUTH_SIGNING_KEYS comes from it');
  });
});

describe("the boot check against each service's config schema", () => {
  const render = (set: string[]) => {
    const result = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), { set });
    expect(result.code).toBe(0);
    return parseManifests(result.stdout);
  };

  it('names a variable required in production that the rendered Deployment lacks', async () => {
    for (const [svc, variable] of [
      ['auth', 'AUTH_SIGNING_KEYS'],
      ['ticket', 'TICKET_SIGNING_KEY'],
      // The platform's shared refinement (refuseDevDisplayCodeKey): the development key is refused in production.
      ['ticket', 'DISPLAY_CODE_MASTER_KEY'],
      ['checkin', 'DISPLAY_CODE_MASTER_KEY'],
    ]) {
      const { env } = containerEnv(render([`${svc}.secretEnv=null`]), `ticketing-${svc}`);
      expect(env).not.toHaveProperty(variable);
      expect(bootProblems(await serviceConfigSchema(svc), env)).toContainEqual({
        variable,
        problem: 'is required when NODE_ENV=production (mount it from a Secret)',
      });
    }
  });

  it('names a malformed value and the removed AUTH_ADMIN_EMAILS', async () => {
    const { env } = containerEnv(render([]), 'ticketing-auth');
    const schema = await serviceConfigSchema('auth');
    expect(bootProblems(schema, env)).toEqual([]);
    const problems = bootProblems(schema, {
      ...env,
      LOGIN_MAX_FAILURES_PER_HOUR: '1000',
      AUTH_ADMIN_EMAILS: 'ops@example.com',
    });
    expect(problems.map((p) => p.variable).sort()).toEqual([
      'AUTH_ADMIN_EMAILS',
      'LOGIN_MAX_FAILURES_PER_HOUR',
    ]);
  });

  it('refuses AUTH_ADMIN_EMAILS in the values, as config or as extra env', () => {
    for (const set of [
      ['auth.config.AUTH_ADMIN_EMAILS=ops@example.com'],
      ['auth.extraEnv[0].name=AUTH_ADMIN_EMAILS', 'auth.extraEnv[0].value=ops@example.com'],
    ]) {
      const result = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), { set });
      expect(result.code, set.join(' ')).not.toBe(0);
      expect(result.stderr).toContain('AUTH_ADMIN_EMAILS');
    }
  });

  it('refuses a config entry the chart sets itself (it would be silently overridden)', () => {
    const result = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), {
      set: ['gateway.config.TRUST_PROXY=true'],
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("invalid propertyName 'TRUST_PROXY'");
  });
});

describe('the Dockerfile policy rejects an insecure Dockerfile', () => {
  it('names every problem', () => {
    const text = readFileSync(fixture('insecure.Dockerfile'), 'utf8');
    expect(dockerfileViolations(text, 'auth', ['@ticketing/contracts', '@ticketing/auth'])).toEqual([
      'not a multi-stage build',
      'base image node:latest is not pinned',
      'final stage does not run as USER node',
      'final stage does not set NODE_ENV=production',
      'final stage CMD is not node services/<svc>/dist/main.js',
      'final stage installs packages',
      'no production-only npm ci of the workspace',
      'does not build @ticketing/contracts',
      'does not build @ticketing/auth',
      'downloads at build time outside npm',
    ]);
  });
});

describe('the Dockerfile policy wants a pinned Node 24 base image', () => {
  it.each([
    ['node:20.20.2-bookworm-slim', 'is not a pinned node 24 Debian slim image'],
    ['node:24-bookworm-slim', 'is not a pinned node 24 Debian slim image'],
    ['node:24.22.3', 'is not a pinned node 24 Debian slim image'],
  ])('rejects %s', (image, problem) => {
    const text = readFileSync(join(REPO_ROOT, 'services', 'auth', 'Dockerfile'), 'utf8').replace(
      /^ARG NODE_IMAGE=\S+$/m,
      `ARG NODE_IMAGE=${image}`,
    );
    const chain = ['@ticketing/contracts', '@ticketing/platform', '@ticketing/auth'];
    // One line per FROM of the image (every stage), and nothing else.
    expect([...new Set(dockerfileViolations(text, 'auth', chain))]).toEqual([
      `base image ${image} ${problem}`,
    ]);
  });
});

describe('workflow and skaffold checks reject broken files', () => {
  it('fails actionlint on a broken workflow', () => {
    const result = run(k8s.tools.actionlint, ['-no-color', fixture('workflow-broken.yml')]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/runs-on/);
    expect(result.stdout).toMatch(/compile/);
    expect(result.stdout).toMatch(/secretz/);
  });

  it('fails the skaffold structural check on a broken config', () => {
    const violations = skaffoldViolations(readFileSync(fixture('skaffold-broken.yaml'), 'utf8'), [
      'nowhere',
    ]).join('\n');
    expect(violations).toMatch(/must NOT have additional properties/);
    expect(violations).toMatch(/chartPath/);
  });

  it('fails the skaffold cross-checks on a structurally valid config that points nowhere', () => {
    const text = readFileSync(fixture('skaffold-broken.yaml'), 'utf8')
      .replace(/^deploys: \{\}\n/m, '')
      .replace('      - name: broken\n', '      - name: broken\n        chartPath: charts/nowhere\n');
    expect(skaffoldViolations(text, ['nowhere', 'auth'])).toEqual([
      'artifact nowhere: services/nowhere/Dockerfile does not exist',
      'artifacts [nowhere] differ from the services [auth, nowhere]',
      'release broken: no chart at charts/nowhere',
      'release broken: nowhere.image.repository is not the built image',
      'release broken: nowhere.image.tag is not the built tag',
      'no dev profile',
      'no ci profile',
    ]);
  });
});
