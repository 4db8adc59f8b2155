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
  value: {{ include "service-lib.cookieSecure" . | quote }}
{{- if get $global "allowInsecureCookies" }}
- name: ALLOW_INSECURE_COOKIES
  value: "true"
{{- end }}
- name: CORS_ORIGINS
  value: {{ include "service-lib.corsOrigins" . | quote }}
- name: TRUST_PROXY
  value: {{ required (printf "%s.trustProxy is required (the proxy hops in front of the pod)" (include "service-lib.name" .)) .Values.trustProxy | toString | quote }}
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
- name: {{ upper . | replace "-" "_" }}_URL
  value: {{ printf "http://%s:%s/graphql" (include "service-lib.peerFullname" (dict "root" $ "name" .)) (include "service-lib.portOf" (dict "root" $ "name" .)) | quote }}
{{- end }}
{{- /* An entry is the key's name, or {key, optional: true} for a key the Secret may lack (the variable is then unset). */}}
{{- range $name, $ref := .Values.secretEnv }}
{{- $entry := kindIs "map" $ref | ternary $ref (dict "key" $ref) }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "existingSecret is required: %s comes from it" $name) $.Values.existingSecret }}
      key: {{ get $entry "key" }}
{{- if get $entry "optional" }}
      optional: true
{{- end }}
{{- end }}
{{- range .Values.extraEnv }}
{{- if eq .name "AUTH_ADMIN_EMAILS" }}
{{- fail "extraEnv: AUTH_ADMIN_EMAILS is no longer supported (it fails auth's boot): create admins with the seed-admin command (auth.seedAdmin)" }}
{{- end }}
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

{{/* `true` unless `global.cookieSecure` is false (plain-http development only). */}}
{{- define "service-lib.cookieSecure" -}}
{{- $global := .Values.global | default dict -}}
{{- hasKey $global "cookieSecure" | ternary (get $global "cookieSecure") true | toString -}}
{{- end -}}

{{/*
Browser origins the gateway allows (CORS_ORIGINS): one per public host name (`global.publicHosts`, the hosts
the umbrella's ingress serves), https when cookies are secure (the site is served over https) and http
otherwise, then the extra `global.corsOrigins`. Without either: the local Vite dev server.
*/}}
{{- define "service-lib.corsOrigins" -}}
{{- $global := .Values.global | default dict -}}
{{- $scheme := eq (include "service-lib.cookieSecure" .) "true" | ternary "https" "http" -}}
{{- $origins := list -}}
{{- range get $global "publicHosts" | default list -}}
{{- $origins = append $origins (printf "%s://%s" $scheme .) -}}
{{- end -}}
{{- $origins = concat $origins (get $global "corsOrigins" | default list) | uniq -}}
{{- $origins | default (list "http://localhost:5173") | join "," -}}
{{- end -}}
