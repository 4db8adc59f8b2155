{{/* Non-secret, service-specific settings (`config:` in values), loaded with envFrom. */}}
{{- define "service-lib.configmap" -}}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "service-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "service-lib.labels" . | nindent 4 }}
{{- if .Values.config }}
data:
  {{- range $key, $value := .Values.config }}
  {{ $key }}: {{ $value | toString | quote }}
  {{- end }}
{{- else }}
data: {}
{{- end }}
{{- end -}}
