{{/*
NetworkPolicies. Each service pod gets a policy with both directions, so everything not listed is denied
(the umbrella adds a release-wide default-deny as well). Allowed flows, as ARCHITECTURE.md names them:
  ingress: from the ingress controller (gateway, web) or from sibling services (`networkPolicy.ingressFrom`),
           and from this chart's own `helm test` pod;
  egress:  DNS; sibling services (`networkPolicy.egressTo`, e.g. subgraphs -> auth JWKS, plus every entry of
           `subgraphs`: gateway -> the subgraphs it routes to);
           Kafka, MongoDB and Redis when the service uses them (peers and ports from `global.*.networkPolicy`).
*/}}

{{/* A peer selecting sibling services of this release by chart name. */}}
{{- define "service-lib.siblingPeer" -}}
- podSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ .root.Release.Name }}
    matchExpressions:
      - key: app.kubernetes.io/name
        operator: In
        values:
          {{- toYaml .names | nindent 10 }}
{{- end -}}

{{/* Egress rule to an infrastructure dependency described by `global.<dep>.networkPolicy` ({peers, ports}). */}}
{{- define "service-lib.infraEgress" -}}
{{- $np := .dep.networkPolicy | default dict -}}
{{- if not $np.peers -}}{{- fail (printf "global.%s.networkPolicy.peers is required while networkPolicy.enabled is true" .name) -}}{{- end -}}
- to:
    {{- toYaml $np.peers | nindent 4 }}
  ports:
    {{- range $np.ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end -}}

{{- define "service-lib.networkpolicy" -}}
{{- if .Values.networkPolicy.enabled -}}
{{- $global := .Values.global | default dict -}}
{{- $gnp := get $global "networkPolicy" | default dict -}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ include "service-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "service-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "service-lib.selectorLabels" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    {{- if .Values.networkPolicy.fromIngressController }}
    - from:
        {{- toYaml (required "global.networkPolicy.ingressControllerPeers is required for a service exposed through the ingress" (get $gnp "ingressControllerPeers")) | nindent 8 }}
      ports:
        - protocol: TCP
          port: http
    {{- end }}
    {{- with .Values.networkPolicy.ingressFrom }}
    - from:
        {{- include "service-lib.siblingPeer" (dict "root" $ "names" .) | nindent 8 }}
      ports:
        - protocol: TCP
          port: http
    {{- end }}
    - from:
        - podSelector:
            matchLabels:
              app.kubernetes.io/instance: {{ .Release.Name }}
              app.kubernetes.io/component: helm-test
              ticketing.io/test-target: {{ include "service-lib.name" . }}
      ports:
        - protocol: TCP
          port: http
    {{- with get $gnp "metricsScraperPeers" }}
    - from:
        {{- toYaml . | nindent 8 }}
      ports:
        - protocol: TCP
          port: http
    {{- end }}
    {{- with .Values.networkPolicy.extraIngress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
    {{- range concat .Values.networkPolicy.egressTo (.Values.subgraphs | default list) | uniq }}
    - to:
        {{- include "service-lib.siblingPeer" (dict "root" $ "names" (list .)) | nindent 8 }}
      ports:
        - protocol: TCP
          port: {{ include "service-lib.portOf" (dict "root" $ "name" .) }}
    {{- end }}
    {{- if .Values.kafka.enabled }}
    {{- include "service-lib.infraEgress" (dict "name" "kafka" "dep" (get $global "kafka" | default dict)) | nindent 4 }}
    {{- end }}
    {{- if .Values.mongo.enabled }}
    {{- include "service-lib.infraEgress" (dict "name" "mongo" "dep" (get $global "mongo" | default dict)) | nindent 4 }}
    {{- end }}
    {{- if .Values.redis.enabled }}
    {{- include "service-lib.infraEgress" (dict "name" "redis" "dep" (get $global "redis" | default dict)) | nindent 4 }}
    {{- end }}
    {{- with .Values.networkPolicy.extraEgress }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
---
{{/* The `helm test` pod of this chart: DNS and this service's port, nothing else. */}}
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ printf "%s-test" (include "service-lib.fullname" . | trunc 58 | trimSuffix "-") }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "service-lib.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/instance: {{ .Release.Name }}
      app.kubernetes.io/component: helm-test
      ticketing.io/test-target: {{ include "service-lib.name" . }}
  policyTypes: [Ingress, Egress]
  ingress: []
  egress:
    - to:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: kube-system
          podSelector:
            matchLabels:
              k8s-app: kube-dns
      ports:
        - protocol: UDP
          port: 53
        - protocol: TCP
          port: 53
    - to:
        - podSelector:
            matchLabels:
              {{- include "service-lib.selectorLabels" . | nindent 14 }}
      ports:
        - protocol: TCP
          port: {{ .Values.containerPort }}
{{- end -}}
{{- end -}}
