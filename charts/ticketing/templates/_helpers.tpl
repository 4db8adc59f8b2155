{{- define "ticketing.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: ticketing
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Full name of a service of this release (same rule as service-lib.fullname). */}}
{{- define "ticketing.serviceName" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ticketing.servicePort" -}}
{{- $defaults := dict "gateway" 4000 "web" 8080 -}}
{{- $ports := merge (deepCopy (.root.Values.global.servicePorts | default dict)) $defaults -}}
{{- get $ports .name | int -}}
{{- end -}}

{{- define "ticketing.tlsSecrets" -}}
{{- $names := list -}}
{{- range .Values.ingress.tls -}}{{- $names = append $names .secretName -}}{{- end -}}
{{- $names | uniq | sortAlpha | join "," -}}
{{- end -}}
