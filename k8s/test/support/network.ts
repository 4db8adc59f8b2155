/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped YAML documents */
import { selects, type PodView } from './policy';
import type { Manifest } from './tools';

/**
 * A small NetworkPolicy evaluator (the semantics of networking.k8s.io/v1, without ipBlock): tells whether a
 * connection from one pod to another pod's port is allowed by the policies in the namespace. A pod selected
 * by no policy of a direction is not isolated in that direction.
 */
export interface Endpoint {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Ports the pod listens on: number -> name (names resolve named ports in policies). */
  ports: { port: number; name?: string; protocol?: string }[];
}

const nsLabels = (namespace: string) => ({ 'kubernetes.io/metadata.name': namespace });

function peerMatches(peer: any, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, nsLabels(other.namespace)) || isEmptySelector(peer.namespaceSelector)
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector
    ? selects(peer.podSelector, other.labels) || isEmptySelector(peer.podSelector)
    : true;
  return nsOk && podOk;
}

const isEmptySelector = (s: any) => !s.matchLabels && !s.matchExpressions;

function portMatches(
  rulePorts: any[] | undefined,
  target: Endpoint,
  port: number,
  protocol: string,
): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => {
    if ((p.protocol ?? 'TCP') !== protocol) return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'number')
      return p.port === port || (p.endPort !== undefined && port >= p.port && port <= p.endPort);
    return target.ports.some((tp) => tp.name === p.port && tp.port === port);
  });
}

export class NetworkModel {
  private readonly policies: Manifest[];

  constructor(
    manifests: Manifest[],
    private readonly defaultNamespace = 'ticketing',
  ) {
    this.policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
  }

  private applying(pod: Endpoint, type: 'Ingress' | 'Egress'): Manifest[] {
    return this.policies.filter((p) => {
      const ns = p.metadata.namespace ?? this.defaultNamespace;
      const types: string[] = p.spec.policyTypes ?? (p.spec.egress ? ['Ingress', 'Egress'] : ['Ingress']);
      const podSelected = isEmptySelector(p.spec.podSelector) || selects(p.spec.podSelector, pod.labels);
      return ns === pod.namespace && types.includes(type) && podSelected;
    });
  }

  allowed(from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
    const egress = this.applying(from, 'Egress');
    const egressOk =
      egress.length === 0 ||
      egress.some((p) =>
        (p.spec.egress ?? []).some(
          (rule: any) =>
            (!rule.to ||
              rule.to.length === 0 ||
              rule.to.some((peer: any) =>
                peerMatches(peer, p.metadata.namespace ?? this.defaultNamespace, to),
              )) &&
            portMatches(rule.ports, to, port, protocol),
        ),
      );
    if (!egressOk) return false;
    const ingress = this.applying(to, 'Ingress');
    return (
      ingress.length === 0 ||
      ingress.some((p) =>
        (p.spec.ingress ?? []).some(
          (rule: any) =>
            (!rule.from ||
              rule.from.length === 0 ||
              rule.from.some((peer: any) =>
                peerMatches(peer, p.metadata.namespace ?? this.defaultNamespace, from),
              )) &&
            portMatches(rule.ports, to, port, protocol),
        ),
      )
    );
  }
}

/** The endpoint of a rendered workload's pods. */
export function endpointOf(pod: PodView, namespace = 'ticketing'): Endpoint {
  const ports = (pod.spec.containers ?? []).flatMap((c: any) =>
    (c.ports ?? []).map((p: any) => ({ port: p.containerPort, name: p.name, protocol: p.protocol ?? 'TCP' })),
  );
  return { name: pod.labels['app.kubernetes.io/name'] ?? pod.owner, namespace, labels: pod.labels, ports };
}
