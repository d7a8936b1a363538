{{- define "coxswain.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "coxswain.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "coxswain.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "coxswain.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "coxswain.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "coxswain.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: coxswain
{{- end -}}

{{/* Selector of one service's pods: (dict "root" $ "service" "leads") */}}
{{- define "coxswain.selectorLabels" -}}
app.kubernetes.io/name: {{ include "coxswain.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .service }}
{{- end -}}

{{- define "coxswain.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "coxswain.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "coxswain.secretName" -}}
{{- default (include "coxswain.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* An image reference: the digest wins over the tag. (dict "root" $ "image" <override or empty>) */}}
{{- define "coxswain.image" -}}
{{- $image := mergeOverwrite (deepCopy .root.Values.image) (default (dict) .image) -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default .root.Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/* One service's settings: `defaults` overlaid with services.<name>, as YAML. (dict "root" $ "service" "leads") */}}
{{- define "coxswain.serviceValues" -}}
{{- $own := get .root.Values.services .service -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.defaults) (deepCopy $own)) -}}
{{- end -}}

{{/* postgresql+asyncpg://user:password@host:port/database?query, or the service's `url`. (dict "root" $ "service" "leads") */}}
{{- define "coxswain.databaseUrl" -}}
{{- $pg := .root.Values.postgresql -}}
{{- $db := get $pg.databases .service -}}
{{- if $db.url -}}
{{- $db.url -}}
{{- else -}}
{{- $auth := urlquery $db.user -}}
{{- if $db.password }}{{ $auth = printf "%s:%s" $auth (urlquery $db.password) }}{{ end -}}
{{- printf "postgresql+asyncpg://%s@%s:%v/%s" $auth $pg.host $pg.port $db.database -}}
{{- if $pg.query }}?{{ $pg.query }}{{ end -}}
{{- end -}}
{{- end -}}

{{/* COXSWAIN_<SERVICE>_ */}}
{{- define "coxswain.envPrefix" -}}
{{- printf "COXSWAIN_%s_" (upper .) -}}
{{- end -}}

{{/* The env every container of the release gets: the ConfigMap, and the two secrets. */}}
{{- define "coxswain.platformEnv" -}}
- name: COXSWAIN_JWT_SECRET
  valueFrom: {secretKeyRef: {name: {{ include "coxswain.secretName" . }}, key: jwt-secret}}
- name: COXSWAIN_WEBHOOK_SECRET
  valueFrom: {secretKeyRef: {name: {{ include "coxswain.secretName" . }}, key: webhook-secret}}
{{- end -}}

{{/* The platform settings (shared/settings.py PlatformSettings) as NAME: "value" lines. */}}
{{- define "coxswain.configData" -}}
COXSWAIN_BUS: "kafka"
COXSWAIN_ENVIRONMENT: {{ .Values.environment | quote }}
COXSWAIN_NAMESPACE: {{ .Values.namespace | quote }}
COXSWAIN_KAFKA_BOOTSTRAP: {{ .Values.kafka.bootstrap | quote }}
COXSWAIN_KAFKA_PARTITIONS: {{ .Values.kafka.partitions | quote }}
COXSWAIN_KAFKA_REPLICATION_FACTOR: {{ .Values.kafka.replicationFactor | quote }}
COXSWAIN_KAFKA_MIN_INSYNC_REPLICAS: {{ .Values.kafka.minInsyncReplicas | quote }}
COXSWAIN_LOG_LEVEL: {{ .Values.logLevel | quote }}
COXSWAIN_JSON_LOGS: {{ .Values.jsonLogs | quote }}
COXSWAIN_JWT_ISSUER: {{ .Values.jwtIssuer | quote }}
COXSWAIN_CORS_ORIGINS: {{ toJson .Values.corsOrigins | quote }}
COXSWAIN_RATE_LIMIT_PER_MINUTE: {{ .Values.rateLimitPerMinute | quote }}
COXSWAIN_LIVENESS_STUCK_SECONDS: {{ .Values.livenessStuckSeconds | quote }}
COXSWAIN_CONSUMER_STALL_SECONDS: {{ .Values.consumerStallSeconds | quote }}
COXSWAIN_DATA_DIR: "/tmp/coxswain"
{{- with .Values.otelExporterOtlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- range $name, $value := .Values.extraConfig }}
{{ $name }}: {{ $value | quote }}
{{- end }}
{{- end -}}

{{/* The Secret's data (base64), shared by the release's Secret and the hooks' copy. */}}
{{- define "coxswain.secretData" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "coxswain.fullname" .) -}}
{{- $old := dict -}}
{{- if $existing }}{{ $old = $existing.data }}{{ end -}}
jwt-secret: {{ .Values.secrets.jwtSecret | default (get $old "jwt-secret" | b64dec) | default (randAlphaNum 48) | b64enc | quote }}
webhook-secret: {{ .Values.secrets.webhookSecret | default (get $old "webhook-secret" | b64dec) | default (randAlphaNum 48) | b64enc | quote }}
{{- range $service := list "leads" "pipeline" "forecast" "compensation" "territory" }}
{{ $service }}-database-url: {{ include "coxswain.databaseUrl" (dict "root" $ "service" $service) | b64enc | quote }}
{{- end }}
{{- end -}}

{{/* The pod security settings and the writable /tmp that a read-only root file system needs. */}}
{{- define "coxswain.podSecurity" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir: {sizeLimit: 256Mi}
{{- end -}}

{{- define "coxswain.hookSecretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else -}}
{{- include "coxswain.fullname" . }}-hooks
{{- end -}}
{{- end -}}

{{/* The settings and the two secrets as a Job's env (the ConfigMap does not exist yet at pre-install). */}}
{{- define "coxswain.hookEnv" -}}
{{- range $key, $value := include "coxswain.configData" . | fromYaml }}
- name: {{ $key }}
  value: {{ $value | quote }}
{{- end }}
- name: COXSWAIN_JWT_SECRET
  valueFrom: {secretKeyRef: {name: {{ include "coxswain.hookSecretName" . }}, key: jwt-secret}}
- name: COXSWAIN_WEBHOOK_SECRET
  valueFrom: {secretKeyRef: {name: {{ include "coxswain.hookSecretName" . }}, key: webhook-secret}}
{{- end -}}
