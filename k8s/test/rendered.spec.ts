import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { LIVENESS_PATH, READINESS_PATH } from '../../packages/platform/src/health/terminus';
import { endpointOf, NetworkModel, type Endpoint } from './support/network';
import {
  ingressViolations,
  podsOf,
  probeViolations,
  scalingViolations,
  secretViolations,
  securityViolations,
} from './support/policy';
import {
  defaultHpaServices,
  INFRA_USE,
  PUBLIC_SERVICES,
  SUBGRAPHS,
  umbrellaValueSets,
} from './support/render';
import {
  helmTemplate,
  K8S_DIR,
  REPO_ROOT,
  kubeconform,
  parseManifests,
  serviceCharts,
  type Manifest,
} from './support/tools';
import {
  bootProblems,
  containerEnv,
  productionSecretVariables,
  serviceConfigSchema,
} from './support/service-config';
import { useK8s } from './support/setup';

// Policy assertions over the umbrella chart rendered with every value set (k8s/test/values/*.yaml and
// k8s/values-kind.yaml). The probe paths are the platform's own constants: what the services really serve.

const k8s = useK8s({ charts: true, crds: true });

const RELEASE = 'ticketing';
const fullname = (svc: string) => `${RELEASE}-${svc}`;
const portOf = (svc: string) =>
  YAML.parse(readFileSync(join(REPO_ROOT, 'charts', svc, 'values.yaml'), 'utf8')).service.port as number;

/**
 * Where `COPY --from=build /app/<source> <dest>` puts a build file in the final stage of a service's Dockerfile
 * (relative destinations resolve against that stage's WORKDIR).
 */
function imagePathOf(svc: string, source: string): string | undefined {
  const dockerfile = readFileSync(join(REPO_ROOT, 'services', svc, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  const workdir = [...finalStage.matchAll(/^WORKDIR (\S+)$/gm)].at(-1)?.[1] ?? '/';
  for (const m of finalStage.matchAll(/^COPY (?:--\S+ )*(\S+) (\S+)$/gm)) {
    if (m[1].endsWith(`/${source}`)) return posix.resolve(workdir, m[2]);
  }
  return undefined;
}

describe.each(umbrellaValueSets())('umbrella chart rendered with $name values', ({ name, file }) => {
  let text: string;
  let manifests: Manifest[];

  beforeAll(() => {
    const result = helmTemplate(k8s.tools.helm, join(k8s.chartsDir, 'ticketing'), {
      values: [file],
      release: RELEASE,
    });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    text = result.stdout;
    manifests = parseManifests(text);
  });

  it('renders one Deployment, Service, ServiceAccount and ConfigMap per service chart', () => {
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'ConfigMap']) {
      const names = manifests
        .filter((m) => m.kind === kind)
        .map((m) => m.metadata.name)
        .sort();
      expect(names, kind).toEqual(serviceCharts().map(fullname).sort());
    }
  });

  it('passes kubeconform in strict mode against the Kubernetes schemas', () => {
    const result = kubeconform(k8s.tools, k8s.crds, [], text);
    expect(result.stdout + result.stderr).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
    expect(result.code).toBe(0);
  });

  it('runs every container non-root, read-only, without privileges, with requests and limits', () => {
    expect(securityViolations(manifests)).toEqual([]);
  });

  it('probes /healthz (liveness) and /readyz (readiness), the paths the platform serves', () => {
    expect([LIVENESS_PATH, READINESS_PATH]).toEqual(['/healthz', '/readyz']);
    expect(probeViolations(manifests, LIVENESS_PATH, READINESS_PATH)).toEqual([]);
  });

  it('autoscales exactly ticket and checkin (when on), without replicas, and has a PDB wherever 2+ pods run', () => {
    const expected = name === 'hpa-off' ? [] : defaultHpaServices().map(fullname);
    expect(scalingViolations(manifests, expected)).toEqual([]);
    const ticket = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === fullname('ticket'))!;
    if (name === 'hpa-off') expect(ticket.spec.replicas).toBe(3);
    else expect(ticket.spec).not.toHaveProperty('replicas');
  });

  it('references only Secrets that are rendered or marked external', () => {
    expect(secretViolations(manifests)).toEqual([]);
    const auth = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === fullname('auth'))!;
    const env = auth.spec.template.spec.containers[0].env;
    const keys = env.find((e: any) => e.name === 'AUTH_SIGNING_KEYS');
    expect(keys.valueFrom.secretKeyRef.name).toMatch(/\S/);
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
  });

  it('gives every service an environment its own config schema accepts at boot in production', async () => {
    for (const svc of serviceCharts()) {
      const { env } = containerEnv(manifests, fullname(svc));
      expect(env.NODE_ENV, svc).toBe('production');
      const problems = bootProblems(await serviceConfigSchema(svc), env);
      if (svc === 'ticket' && env.ALLOW_TEST_PAYMENTS !== 'true') {
        // Test payments stay off by default, and only the test provider exists: ticket refuses to start
        // (NOTES.txt warns) until a real provider exists or ALLOW_TEST_PAYMENTS is set knowingly.
        expect(
          problems.map((p) => p.variable),
          svc,
        ).toEqual(['PAYMENT_PROVIDER']);
      } else {
        expect(problems, svc).toEqual([]);
      }
    }
    const ticket = containerEnv(manifests, fullname('ticket')).env;
    expect(ticket.ALLOW_TEST_PAYMENTS).toBe(name === 'kind' ? 'true' : 'false');
  });

  it('boots every service without the optional Secret keys too (a Secret without them)', async () => {
    for (const svc of serviceCharts()) {
      const { env, optionalSecrets } = containerEnv(manifests, fullname(svc));
      const without = Object.fromEntries(Object.entries(env).filter(([v]) => !optionalSecrets.has(v)));
      const problems = bootProblems(await serviceConfigSchema(svc), without).map((p) => p.variable);
      expect(problems, svc).toEqual(
        svc === 'ticket' && env.ALLOW_TEST_PAYMENTS !== 'true' ? ['PAYMENT_PROVIDER'] : [],
      );
    }
  });

  it("takes ticket's previous QR public keys from its Secret, optionally, and its signing key necessarily", () => {
    const ticket = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === fullname('ticket'))!;
    const env: any[] = ticket.spec.template.spec.containers[0].env;
    const ref = (variable: string) => env.find((e) => e.name === variable)?.valueFrom?.secretKeyRef;
    const signing = ref('TICKET_SIGNING_KEY');
    expect(ref('TICKET_PREVIOUS_PUBLIC_KEYS')).toEqual({
      name: signing.name,
      key: 'previous-public-keys',
      optional: true,
    });
    expect(signing.optional).toBeUndefined();
    expect(containerEnv(manifests, fullname('ticket')).optionalSecrets).toEqual(
      new Set(['TICKET_PREVIOUS_PUBLIC_KEYS']),
    );
    // Only ticket has an optional Secret key: every other service's variables stay required.
    for (const svc of serviceCharts().filter((s) => s !== 'ticket'))
      expect(containerEnv(manifests, fullname(svc)).optionalSecrets, svc).toEqual(new Set());
  });

  it('takes every variable required in production from a Secret', async () => {
    const required: Record<string, string[]> = {};
    for (const svc of serviceCharts())
      required[svc] = await productionSecretVariables(svc, containerEnv(manifests, fullname(svc)).env);
    // The refinements are seen, the platform's shared one too: auth's signing keys, ticket's QR key, and the
    // display-code master key of both services that hold it (refuseDevDisplayCodeKey, not in their config.ts).
    expect(required.auth).toEqual(['AUTH_SIGNING_KEYS']);
    expect(required.ticket).toEqual(['DISPLAY_CODE_MASTER_KEY', 'TICKET_SIGNING_KEY']);
    expect(required.checkin).toEqual(['DISPLAY_CODE_MASTER_KEY']);
    for (const svc of serviceCharts().filter((s) => !['auth', 'ticket', 'checkin'].includes(s)))
      expect(required[svc], svc).toEqual([]);
    for (const [svc, variables] of Object.entries(required)) {
      const { fromSecrets } = containerEnv(manifests, fullname(svc));
      for (const variable of variables) expect([...fromSecrets], `${svc} ${variable}`).toContain(variable);
    }
  });

  it('never sets the removed AUTH_ADMIN_EMAILS', () => {
    expect(text).not.toContain('AUTH_ADMIN_EMAILS');
  });

  it('trusts one proxy hop: the ingress controller in front of the gateway, the gateway in front of the subgraphs', () => {
    for (const svc of serviceCharts()) {
      expect(containerEnv(manifests, fullname(svc)).env.TRUST_PROXY, svc).toBe('1');
    }
  });

  it('sets secure cookies except on the plain-http kind cluster, and CORS origins from the public hosts', () => {
    const values = YAML.parse(readFileSync(file, 'utf8')) ?? {};
    const defaults = YAML.parse(readFileSync(join(REPO_ROOT, 'charts', 'ticketing', 'values.yaml'), 'utf8'));
    const global = { ...defaults.global, ...values.global };
    const secure = name !== 'kind';
    expect(global.cookieSecure).toBe(secure);
    const expected = [
      ...global.publicHosts.map((host: string) => `${secure ? 'https' : 'http'}://${host}`),
      ...global.corsOrigins,
    ].join(',');
    for (const svc of serviceCharts()) {
      const { env } = containerEnv(manifests, fullname(svc));
      expect(env.COOKIE_SECURE, svc).toBe(String(secure));
      // Only the plain-http kind cluster asks for insecure cookies, by name.
      expect(env.ALLOW_INSECURE_COOKIES, svc).toBe(secure ? undefined : 'true');
      expect(env.CORS_ORIGINS, svc).toBe(expected);
    }
    const ingress = manifests.find((m) => m.kind === 'Ingress')!;
    expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(global.publicHosts);
  });

  it('gives the gateway a URL and an egress rule for exactly the subgraphs rendered', () => {
    const subgraphs = serviceCharts().filter((svc) => SUBGRAPHS.includes(svc));
    const { env } = containerEnv(manifests, fullname('gateway'));
    const urls = Object.keys(env).filter((v) => /^(AUTH|EVENT|TICKET|CHECKIN|PRICING)_URL$/.test(v));
    expect(urls.sort()).toEqual(subgraphs.map((svc) => `${svc.toUpperCase()}_URL`).sort());
    for (const svc of subgraphs)
      expect(env[`${svc.toUpperCase()}_URL`]).toBe(`http://${fullname(svc)}:${portOf(svc)}/graphql`);
  });

  it("points the gateway's SUPERGRAPH_PATH at the file its Dockerfile copies into the image", () => {
    const { env } = containerEnv(manifests, fullname('gateway'));
    expect(env.SUPERGRAPH_PATH).toBe(imagePathOf('gateway', 'services/gateway/supergraph.graphql'));
  });

  it('routes /graphql to the gateway Service and port, and every ingress backend exists', () => {
    expect(ingressViolations(manifests)).toEqual([]);
    const ingress = manifests.find((m) => m.kind === 'Ingress')!;
    const paths = ingress.spec.rules.flatMap((r: any) => r.http.paths);
    const graphql = paths.find((p: any) => p.path === '/graphql');
    expect(graphql.backend.service).toEqual({ name: fullname('gateway'), port: { number: 4000 } });
  });

  it('points every in-cluster URL (JWKS, subgraphs) at a rendered Service and port, or at a service not built yet', () => {
    const services = new Map(manifests.filter((m) => m.kind === 'Service').map((s) => [s.metadata.name, s]));
    for (const pod of podsOf(manifests)) {
      for (const e of pod.spec.containers.flatMap((c: any) => c.env ?? [])) {
        if (typeof e.value !== 'string' || !/^https?:\/\//.test(e.value)) continue;
        const url = new URL(e.value);
        const svc = services.get(url.hostname);
        if (!url.hostname.startsWith(`${RELEASE}-`)) continue;
        const chart = url.hostname.slice(RELEASE.length + 1);
        if (!serviceCharts().includes(chart)) continue; // checkin/pricing: composed into the supergraph only once built
        expect(svc, `${pod.owner} ${e.name}`).toBeDefined();
        expect(
          svc!.spec.ports.map((p: any) => p.port),
          `${pod.owner} ${e.name}`,
        ).toContain(Number(url.port));
      }
    }
  });

  it('denies by default and allows exactly the flows ARCHITECTURE.md names', () => {
    const extra =
      name === 'kind' ? parseManifests(readFileSync(join(K8S_DIR, 'infra', 'redis.yaml'), 'utf8')) : [];
    const model = new NetworkModel([...manifests, ...extra]);
    const deny = manifests.find(
      (m) => m.kind === 'NetworkPolicy' && m.metadata.name === `${RELEASE}-default-deny`,
    );
    expect(deny?.spec.policyTypes).toEqual(['Ingress', 'Egress']);

    const services = new Map(
      podsOf(manifests)
        .filter((p) => p.owner.startsWith('Deployment/'))
        .map((p) => [p.labels['app.kubernetes.io/name'], endpointOf(p)]),
    );
    const at = (name: string, namespace: string, labels: Record<string, string>, port: number): Endpoint => ({
      name,
      namespace,
      labels,
      ports: [{ port }],
    });
    const infra: Record<string, Endpoint> = {
      kafka: at(
        'kafka',
        'ticketing',
        { 'strimzi.io/cluster': 'ticketing-kafka', 'strimzi.io/kind': 'Kafka' },
        9092,
      ),
      mongo: at('mongo', 'ticketing', { app: 'ticketing-mongo-svc' }, 27017),
      redis: at(
        'redis',
        'ticketing',
        { 'app.kubernetes.io/name': 'redis', 'app.kubernetes.io/part-of': 'ticketing-infra' },
        6379,
      ),
    };
    const dns = at('dns', 'kube-system', { 'k8s-app': 'kube-dns' }, 53);
    const outsiders: Endpoint[] = [
      at('ingress-controller', 'traefik', { 'app.kubernetes.io/name': 'traefik' }, 8000),
      at('stranger', 'ticketing', { app: 'something-else' }, 8080),
      at('other-namespace', 'elsewhere', { 'app.kubernetes.io/name': 'gateway' }, 8080),
    ];

    const allowed = new Set<string>();
    const portOf = (e: Endpoint) => e.ports[0].port;
    const sources = [...services.values(), ...outsiders];
    for (const from of sources) {
      for (const to of services.values()) {
        if (from !== to && model.allowed(from, to, portOf(to))) allowed.add(`${from.name} -> ${to.name}`);
      }
      if (!services.has(from.name) || from.namespace !== 'ticketing') continue;
      for (const to of Object.values(infra))
        if (model.allowed(from, to, portOf(to))) allowed.add(`${from.name} -> ${to.name}`);
      if (model.allowed(from, dns, 53, 'UDP') && model.allowed(from, dns, 53, 'TCP'))
        allowed.add(`${from.name} -> dns`);
      for (const out of outsiders)
        if (model.allowed(from, out, portOf(out))) allowed.add(`${from.name} -> ${out.name}`);
    }

    const expected = new Set<string>();
    const present = [...services.keys()];
    for (const svc of present) {
      expected.add(`${svc} -> dns`);
      for (const dep of INFRA_USE[svc] ?? []) expected.add(`${svc} -> ${dep}`);
      if (PUBLIC_SERVICES.includes(svc)) expected.add(`ingress-controller -> ${svc}`);
      if (SUBGRAPHS.includes(svc)) expected.add(`gateway -> ${svc}`);
      if (SUBGRAPHS.includes(svc) && svc !== 'auth' && present.includes('auth'))
        expected.add(`${svc} -> auth`);
    }
    // Check-in fetches the ticket service's public QR key set (never a ticket: scans run on its replica).
    if (present.includes('checkin') && present.includes('ticket')) expected.add('checkin -> ticket');
    expect([...allowed].sort()).toEqual([...expected].sort());
  });
});
