{{/*
`helm test`: a pod running the service's own image (Node 24 has fetch) that asks the Service for /healthz
and /readyz and fails unless both answer 200. Same restricted security context as the service.
*/}}
{{- define "service-lib.testPod" -}}
apiVersion: v1
kind: Pod
metadata:
  name: {{ printf "%s-test" (include "service-lib.fullname" . | trunc 58 | trimSuffix "-") }}
  namespace: {{ .Release.Namespace }}
  labels:
    app.kubernetes.io/instance: {{ .Release.Name }}
    ticketing.io/test-target: {{ include "service-lib.name" . }}
    app.kubernetes.io/component: helm-test
    app.kubernetes.io/part-of: ticketing
  annotations:
    helm.sh/hook: test
    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  enableServiceLinks: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  containers:
    - name: probe
      image: {{ include "service-lib.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      command: ["node", "-e"]
      args:
        - |
          const base = 'http://{{ include "service-lib.fullname" . }}:{{ .Values.service.port }}';
          (async () => {
            for (const path of ['/healthz', '/readyz']) {
              const res = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
              console.log(path, res.status);
              if (res.status !== 200) process.exit(1);
            }
          })().catch((err) => { console.error(err.message); process.exit(1); });
      resources:
        requests: { cpu: 10m, memory: 32Mi }
        limits: { cpu: 100m, memory: 128Mi }
      securityContext:
        {{- toYaml .Values.containerSecurityContext | nindent 8 }}
{{- end -}}
