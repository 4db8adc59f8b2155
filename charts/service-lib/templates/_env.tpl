{{/*
The environment every service reads (packages/platform/README.md). Connection settings come from `global`
(set once by the umbrella chart); credentials only ever by reference to an existing Secret.
*/}}
{{- define "service-lib.env" -}}
{{- $global := .Values.global | default dict -}}
{{- $auth := get $global "auth" | default dict -}}
{{- $kafka := get $global "kafka" | default dict -}}
{{- $redis := get $global "redis" | default dict -}}
{{- $mongo := get $global "mongo" | default dict -}}
{{- $authName := include "service-lib.peerFullname" (dict "root" . "name" "auth") -}}
{{- $authPort := include "service-lib.portOf" (dict "root" . "name" "auth") -}}
- name: NODE_ENV
  value: production
- name: PORT
  value: {{ .Values.containerPort | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | default "info" | quote }}
- name: AUTH_JWKS_URL
  value: {{ get $auth "jwksUrl" | default (printf "http://%s:%s/.well-known/jwks.json" $authName $authPort) | quote }}
- name: AUTH_ISSUER
  value: {{ get $auth "issuer" | default "ticketing-auth" | quote }}
- name: AUTH_AUDIENCE
  value: {{ get $auth "audience" | default "ticketing" | quote }}
- name: COOKIE_SECURE
  value: {{ (hasKey $global "cookieSecure" | ternary (get $global "cookieSecure") true) | toString | quote }}
- name: CORS_ORIGINS
  value: {{ get $global "corsOrigins" | default (list "http://localhost:5173") | join "," | quote }}
- name: SHUTDOWN_DELAY_MS
  value: {{ .Values.shutdown.delayMs | quote }}
- name: SHUTDOWN_TIMEOUT_MS
  value: {{ .Values.shutdown.timeoutMs | quote }}
{{- if .Values.kafka.enabled }}
- name: KAFKA_BROKERS
  value: {{ required "global.kafka.bootstrapServers is required (host:port,...)" (get $kafka "bootstrapServers") | quote }}
{{- end }}
{{- if .Values.redis.enabled }}
{{- if get $redis "existingSecret" }}
- name: REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ get $redis "existingSecret" }}
      key: {{ get $redis "secretKey" | default "url" }}
{{- else }}
- name: REDIS_URL
  value: {{ required "global.redis.url is required (redis://host:port)" (get $redis "url") | quote }}
{{- end }}
{{- end }}
{{- if .Values.mongo.enabled }}
- name: MONGO_URL
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s.mongo.existingSecret must name the Secret holding the MongoDB connection string" (include "service-lib.name" .)) .Values.mongo.existingSecret }}
      key: {{ .Values.mongo.secretKey | default (get $mongo "secretKey") | default "connectionString.standard" }}
- name: MONGO_DB
  value: {{ .Values.mongo.database | default (include "service-lib.name" .) | quote }}
{{- end }}
{{- range .Values.subgraphs }}
- name: {{ upper . }}_URL
  value: {{ printf "http://%s:%s/graphql" (include "service-lib.peerFullname" (dict "root" $ "name" .)) (include "service-lib.portOf" (dict "root" $ "name" .)) | quote }}
{{- end }}
{{- range $name, $key := .Values.secretEnv }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "existingSecret is required: %s comes from it" $name) $.Values.existingSecret }}
      key: {{ $key }}
{{- end }}
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
Names of the Secrets this workload reads but does not create. They are listed in the
`ticketing.io/external-secrets` annotation so the offline policy check (k8s/test) can tell a forgotten
Secret from one that an operator or an administrator provides.
*/}}
{{- define "service-lib.externalSecrets" -}}
{{- $global := .Values.global | default dict -}}
{{- $redis := get $global "redis" | default dict -}}
{{- $names := list -}}
{{- if and .Values.redis.enabled (get $redis "existingSecret") -}}{{- $names = append $names (get $redis "existingSecret") -}}{{- end -}}
{{- if .Values.mongo.enabled -}}{{- $names = append $names .Values.mongo.existingSecret -}}{{- end -}}
{{- if .Values.secretEnv -}}{{- $names = append $names .Values.existingSecret -}}{{- end -}}
{{- range .Values.imagePullSecrets -}}{{- $names = append $names .name -}}{{- end -}}
{{- $names | uniq | sortAlpha | join "," -}}
{{- end -}}
