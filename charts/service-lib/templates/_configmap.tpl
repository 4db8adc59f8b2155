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
  {{- /* Whole numbers arrive from YAML as floats: print 1209600, never 1.2096e+06. */}}
  {{- if and (kindIs "float64" $value) (eq $value (float64 (int64 $value))) }}
  {{ $key }}: {{ int64 $value | toString | quote }}
  {{- else }}
  {{ $key }}: {{ $value | toString | quote }}
  {{- end }}
  {{- end }}
{{- else }}
data: {}
{{- end }}
{{- end -}}
