{{/*
Names and labels. Every name is truncated to 63 characters (the DNS label limit) and selectors use only
app.kubernetes.io/name and app.kubernetes.io/instance, so they never change on upgrade.
*/}}

{{/* The chart's short name: `nameOverride` or the chart name (auth, event, ...). */}}
{{- define "service-lib.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The full name of this release's resources: `fullnameOverride`, else `<release>-<name>`. (No "release name
already contains the chart name" shortcut: release `ticketing` contains `ticket`, and the ticket Service
must still be `ticketing-ticket`.)
*/}}
{{- define "service-lib.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "service-lib.peerFullname" (dict "root" . "name" (include "service-lib.name" .)) -}}
{{- end -}}
{{- end -}}

{{/*
The full name another service of the same release gets (used for in-cluster URLs such as the auth JWKS):
  include "service-lib.peerFullname" (dict "root" . "name" "auth")
*/}}
{{- define "service-lib.peerFullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "service-lib.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels: stable for the life of the release. */}}
{{- define "service-lib.selectorLabels" -}}
app.kubernetes.io/name: {{ include "service-lib.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Common labels on every resource. */}}
{{- define "service-lib.labels" -}}
helm.sh/chart: {{ include "service-lib.chart" . }}
{{ include "service-lib.selectorLabels" . }}
app.kubernetes.io/version: {{ include "service-lib.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: {{ .Values.component | default "api" }}
app.kubernetes.io/part-of: ticketing
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "service-lib.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "service-lib.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Image tag: the chart's own `image.tag`, else `global.image.tag`, else the chart's appVersion. */}}
{{- define "service-lib.imageTag" -}}
{{- $global := (.Values.global | default dict) -}}
{{- $globalImage := (get $global "image" | default dict) -}}
{{- .Values.image.tag | default (get $globalImage "tag") | default .Chart.AppVersion | toString -}}
{{- end -}}

{{/* `[registry/]repository:tag[@digest]`; `global.imageRegistry` prefixes every repository when set. */}}
{{- define "service-lib.image" -}}
{{- $global := (.Values.global | default dict) -}}
{{- $registry := get $global "imageRegistry" | default "" -}}
{{- $repository := .Values.image.repository -}}
{{- if $registry -}}{{- $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository -}}{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" $repository (include "service-lib.imageTag" .) .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (include "service-lib.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/*
The platform's port table (packages/platform/README.md): one place for the port of every service, so the
gateway's subgraph URLs, the auth JWKS URL and the NetworkPolicies agree. `global.servicePorts` overrides.
*/}}
{{- define "service-lib.portOf" -}}
{{- $defaults := dict "gateway" 4000 "auth" 4001 "event" 4002 "ticket" 4003 "checkin" 4004 "pricing" 4005 "web" 8080 -}}
{{- $global := (.root.Values.global | default dict) -}}
{{- $ports := merge (deepCopy (get $global "servicePorts" | default dict)) $defaults -}}
{{- $port := get $ports .name -}}
{{- if not $port -}}{{- fail (printf "service-lib: no port known for service %q (add it to global.servicePorts)" .name) -}}{{- end -}}
{{- $port | int -}}
{{- end -}}
