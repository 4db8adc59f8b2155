/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML documents */
import type { Manifest } from './tools';

/**
 * Policy checks over rendered manifests. Each returns the list of violations (empty = compliant), so the
 * same functions run on the charts' output and on the deliberately broken fixtures.
 */

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']);

export interface PodView {
  owner: string;
  /** Labels of the pods this workload creates. */
  labels: Record<string, string>;
  spec: any;
  annotations: Record<string, string>;
}

export function podsOf(manifests: Manifest[]): PodView[] {
  const pods: PodView[] = [];
  for (const m of manifests) {
    if (!WORKLOAD_KINDS.has(m.kind)) continue;
    const owner = `${m.kind}/${m.metadata.name}`;
    const annotations = m.metadata.annotations ?? {};
    if (m.kind === 'Pod') pods.push({ owner, labels: m.metadata.labels ?? {}, spec: m.spec, annotations });
    else if (m.kind === 'CronJob') {
      const t = m.spec.jobTemplate.spec.template;
      pods.push({ owner, labels: t.metadata?.labels ?? {}, spec: t.spec, annotations });
    } else
      pods.push({
        owner,
        labels: m.spec.template.metadata?.labels ?? {},
        spec: m.spec.template.spec,
        annotations,
      });
  }
  return pods;
}

const containersOf = (spec: any): any[] => [...(spec.initContainers ?? []), ...(spec.containers ?? [])];

/** Restricted pod security: non-root, read-only root, no escalation, drop ALL, seccomp, requests and limits. */
export function securityViolations(manifests: Manifest[]): string[] {
  const out: string[] = [];
  for (const pod of podsOf(manifests)) {
    const podCtx = pod.spec.securityContext ?? {};
    for (const c of containersOf(pod.spec)) {
      const where = `${pod.owner} container ${c.name}`;
      const ctx = c.securityContext ?? {};
      const nonRoot = ctx.runAsNonRoot ?? podCtx.runAsNonRoot;
      if (nonRoot !== true) out.push(`${where}: runAsNonRoot is not true`);
      if ((ctx.runAsUser ?? podCtx.runAsUser) === 0) out.push(`${where}: runs as uid 0`);
      if (ctx.readOnlyRootFilesystem !== true) out.push(`${where}: readOnlyRootFilesystem is not true`);
      if (ctx.allowPrivilegeEscalation !== false) out.push(`${where}: allowPrivilegeEscalation is not false`);
      if (ctx.privileged === true) out.push(`${where}: privileged`);
      if (!(ctx.capabilities?.drop ?? []).includes('ALL')) out.push(`${where}: capabilities do not drop ALL`);
      if ((ctx.capabilities?.add ?? []).length > 0) out.push(`${where}: adds capabilities`);
      const seccomp = ctx.seccompProfile?.type ?? podCtx.seccompProfile?.type;
      if (seccomp !== 'RuntimeDefault') out.push(`${where}: seccompProfile is not RuntimeDefault`);
      for (const kind of ['requests', 'limits'] as const) {
        for (const resource of ['cpu', 'memory']) {
          if (c.resources?.[kind]?.[resource] === undefined) out.push(`${where}: no ${resource} ${kind}`);
        }
      }
      if (typeof c.image !== 'string' || /:latest(@|$)/.test(c.image) || !/:[^/]+$|@sha256:/.test(c.image)) {
        out.push(`${where}: image ${c.image} is not pinned to a tag or digest`);
      }
    }
    if (pod.spec.hostNetwork || pod.spec.hostPID || pod.spec.hostIPC)
      out.push(`${pod.owner}: uses a host namespace`);
    for (const v of pod.spec.volumes ?? [])
      if (v.hostPath) out.push(`${pod.owner}: mounts hostPath ${v.hostPath.path}`);
  }
  return out;
}

/** Long-running services must be probed: liveness on `livenessPath`, readiness on `readinessPath`, by port name. */
export function probeViolations(
  manifests: Manifest[],
  livenessPath: string,
  readinessPath: string,
): string[] {
  const out: string[] = [];
  for (const m of manifests.filter((d) => d.kind === 'Deployment')) {
    for (const c of m.spec.template.spec.containers) {
      const where = `Deployment/${m.metadata.name} container ${c.name}`;
      const ports = new Set((c.ports ?? []).flatMap((p: any) => [p.name, p.containerPort]));
      const check = (probe: any, kind: string, path: string) => {
        if (!probe?.httpGet) return out.push(`${where}: no HTTP ${kind} probe`);
        if (probe.httpGet.path !== path)
          out.push(`${where}: ${kind} probe path ${probe.httpGet.path}, expected ${path}`);
        if (!ports.has(probe.httpGet.port))
          out.push(`${where}: ${kind} probe port ${probe.httpGet.port} is not a container port`);
      };
      check(c.livenessProbe, 'liveness', livenessPath);
      check(c.readinessProbe, 'readiness', readinessPath);
    }
  }
  return out;
}

/** HPAs only for the expected Deployments; no `replicas` under an HPA; a PDB wherever 2+ pods can run. */
export function scalingViolations(manifests: Manifest[], expectedHpaTargets: string[]): string[] {
  const out: string[] = [];
  const deployments = manifests.filter((m) => m.kind === 'Deployment');
  const hpas = manifests.filter((m) => m.kind === 'HorizontalPodAutoscaler');
  const pdbs = manifests.filter((m) => m.kind === 'PodDisruptionBudget');
  const targets = hpas.map((h) => h.spec.scaleTargetRef.name).sort();
  if (JSON.stringify(targets) !== JSON.stringify([...expectedHpaTargets].sort())) {
    out.push(`HPAs target [${targets.join(', ')}], expected [${[...expectedHpaTargets].sort().join(', ')}]`);
  }
  for (const h of hpas) {
    const target = deployments.find((d) => d.metadata.name === h.spec.scaleTargetRef.name);
    if (!target) out.push(`HPA/${h.metadata.name} targets a Deployment that is not rendered`);
    if (!h.spec.behavior?.scaleDown?.stabilizationWindowSeconds)
      out.push(`HPA/${h.metadata.name}: no scale-down stabilisation`);
    if (!(h.spec.minReplicas >= 1 && h.spec.maxReplicas >= h.spec.minReplicas))
      out.push(`HPA/${h.metadata.name}: bad bounds`);
  }
  for (const d of deployments) {
    const scaled = hpas.some((h) => h.spec.scaleTargetRef.name === d.metadata.name);
    if (scaled && d.spec.replicas !== undefined)
      out.push(`Deployment/${d.metadata.name}: sets replicas under an HPA`);
    const many = scaled || (d.spec.replicas ?? 1) >= 2;
    const labels = d.spec.template.metadata.labels;
    const covered = pdbs.some((p) => selects(p.spec.selector, labels));
    if (many && !covered) out.push(`Deployment/${d.metadata.name}: 2+ pods but no PodDisruptionBudget`);
  }
  return out;
}

export function selects(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const value = labels[e.key];
    if (e.operator === 'In' && !e.values.includes(value)) return false;
    if (e.operator === 'NotIn' && e.values.includes(value)) return false;
    if (e.operator === 'Exists' && value === undefined) return false;
    if (e.operator === 'DoesNotExist' && value !== undefined) return false;
  }
  return true;
}

/** Every Secret a pod reads is rendered too or listed as external (annotation `ticketing.io/external-secrets`). */
export function secretViolations(manifests: Manifest[]): string[] {
  const out: string[] = [];
  const rendered = new Set(manifests.filter((m) => m.kind === 'Secret').map((m) => m.metadata.name));
  const externalOf = (annotations: Record<string, string> = {}) =>
    new Set((annotations['ticketing.io/external-secrets'] ?? '').split(',').filter(Boolean));
  for (const pod of podsOf(manifests)) {
    const external = externalOf(pod.annotations);
    const used = new Set<string>();
    for (const c of containersOf(pod.spec)) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) used.add(e.valueFrom.secretKeyRef.name);
      for (const e of c.envFrom ?? []) if (e.secretRef) used.add(e.secretRef.name);
    }
    for (const v of pod.spec.volumes ?? []) if (v.secret) used.add(v.secret.secretName);
    for (const s of pod.spec.imagePullSecrets ?? []) used.add(s.name);
    for (const name of used) {
      if (!name) out.push(`${pod.owner}: references a Secret with an empty name`);
      else if (!rendered.has(name) && !external.has(name))
        out.push(`${pod.owner}: Secret ${name} is neither rendered nor marked external`);
    }
  }
  for (const ing of manifests.filter((m) => m.kind === 'Ingress')) {
    const external = externalOf(ing.metadata.annotations);
    for (const tls of ing.spec.tls ?? []) {
      if (!rendered.has(tls.secretName) && !external.has(tls.secretName)) {
        out.push(
          `Ingress/${ing.metadata.name}: TLS Secret ${tls.secretName} is neither rendered nor marked external`,
        );
      }
    }
  }
  return out;
}

/** Every Ingress backend is a rendered Service exposing that port, whose selector matches some workload's pods. */
export function ingressViolations(manifests: Manifest[]): string[] {
  const out: string[] = [];
  const services = new Map(manifests.filter((m) => m.kind === 'Service').map((s) => [s.metadata.name, s]));
  const pods = podsOf(manifests);
  for (const ing of manifests.filter((m) => m.kind === 'Ingress')) {
    for (const rule of ing.spec.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const backend = p.backend.service;
        const where = `Ingress/${ing.metadata.name} ${rule.host ?? '*'}${p.path}`;
        const svc = services.get(backend.name);
        if (!svc) {
          out.push(`${where}: Service ${backend.name} is not rendered`);
          continue;
        }
        const port = svc.spec.ports.find((sp: any) =>
          backend.port.number !== undefined ? sp.port === backend.port.number : sp.name === backend.port.name,
        );
        if (!port)
          out.push(
            `${where}: Service ${backend.name} has no port ${backend.port.number ?? backend.port.name}`,
          );
        if (!pods.some((pod) => selects({ matchLabels: svc.spec.selector }, pod.labels))) {
          out.push(`${where}: Service ${backend.name} selects no rendered pod`);
        }
      }
    }
  }
  return out;
}
