{{- define "service-lib.notes" -}}
{{ include "service-lib.name" . }} {{ include "service-lib.imageTag" . }} is installed as {{ include "service-lib.fullname" . }} in namespace {{ .Release.Namespace }}.

Inside the cluster:
  http://{{ include "service-lib.fullname" . }}:{{ .Values.service.port }}/graphql   (GraphQL)
  /healthz (liveness), /readyz (readiness), /metrics (Prometheus) on the same port.

From your machine:
  kubectl -n {{ .Release.Namespace }} port-forward svc/{{ include "service-lib.fullname" . }} {{ .Values.service.port }}:{{ .Values.service.port }}
  curl -fsS http://127.0.0.1:{{ .Values.service.port }}/readyz

Check it:
  helm test {{ .Release.Name }} -n {{ .Release.Namespace }}
{{- with include "service-lib.externalSecrets" . }}

Secrets it reads and does not create (they must exist): {{ . }}
{{- end }}
{{- if .Values.autoscaling.enabled }}

Autoscaling: {{ .Values.autoscaling.minReplicas }}-{{ .Values.autoscaling.maxReplicas }} pods on CPU (needs metrics-server).
{{- end }}
{{- end -}}
