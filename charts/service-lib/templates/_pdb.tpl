{{/* A PodDisruptionBudget whenever more than one replica can run: a fixed count of 2+ or an HPA. */}}
{{- define "service-lib.pdb" -}}
{{- if and .Values.podDisruptionBudget.enabled (or .Values.autoscaling.enabled (ge (int .Values.replicaCount) 2)) -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "service-lib.fullname" . }}
  namespace: {{ .Release.Namespace }}
  labels:
    {{- include "service-lib.labels" . | nindent 4 }}
spec:
  maxUnavailable: {{ .Values.podDisruptionBudget.maxUnavailable }}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "service-lib.selectorLabels" . | nindent 6 }}
{{- end -}}
{{- end -}}
