{{/* Chart name, possibly overridden. */}}
{{- define "ml-connector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped base name; every object name is this plus a suffix, so keep it at most 40 characters. */}}
{{- define "ml-connector.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels on every object. Call with (dict "ctx" $ "component" "<name>"). */}}
{{- define "ml-connector.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .ctx.Chart.Name .ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "ml-connector.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: ml-connector
{{- end -}}

{{- define "ml-connector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ml-connector.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- with .component }}
app.kubernetes.io/component: {{ . }}
{{- end }}
{{- end -}}

{{- define "ml-connector.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ml-connector.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The Secret the pods read: the operator's existingSecret, or the one this chart creates. */}}
{{- define "ml-connector.secretName" -}}
{{- default (include "ml-connector.fullname" .) .Values.secrets.existingSecret -}}
{{- end -}}

{{/* Image reference. Call with (dict "ctx" $ "image" <per-service override map>). */}}
{{- define "ml-connector.image" -}}
{{- $img := merge (deepCopy (default (dict) .image)) .ctx.Values.image -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository (default .ctx.Chart.AppVersion $img.tag | toString) -}}
{{- end -}}
{{- end -}}

{{- define "ml-connector.imagePullPolicy" -}}
{{- $img := merge (deepCopy (default (dict) .image)) .ctx.Values.image -}}
{{- $img.pullPolicy -}}
{{- end -}}

{{/* Names of the secret variables; none of them may appear in config.extraEnv. */}}
{{- define "ml-connector.secretKeys" -}}
{{- $keys := list "DATABASE_URL" "MLC_ENCRYPTION_KEYS" "MLC_OPERATOR_API_KEYS" "KAFKA_SASL_PASSWORD" -}}
{{- $keys = concat $keys (keys .Values.secrets.extra) -}}
{{- toJson $keys -}}
{{- end -}}

{{/* Non-secret environment shared by all services (ConfigMap data). Keys follow libs/platform/config. */}}
{{- define "ml-connector.configData" -}}
{{- $secretKeys := include "ml-connector.secretKeys" . | fromJsonArray -}}
{{- range $k, $v := .Values.config.extraEnv }}
{{- if has $k $secretKeys }}
{{- fail (printf "config.extraEnv.%s is a secret; set it under secrets (or in the existing Secret)" $k) }}
{{- end }}
{{- end -}}
KAFKA_BROKERS: {{ required "kafka.brokers is required (comma-separated host:port list of your Kafka cluster)" .Values.kafka.brokers | quote }}
KAFKA_CLIENT_ID: {{ .Values.kafka.clientId | quote }}
KAFKA_SSL: {{ .Values.kafka.ssl | toString | quote }}
{{- with .Values.kafka.sasl.mechanism }}
KAFKA_SASL_MECHANISM: {{ . | quote }}
KAFKA_SASL_USERNAME: {{ required "kafka.sasl.username is required when kafka.sasl.mechanism is set" $.Values.kafka.sasl.username | quote }}
{{- end }}
KAFKA_REPLICATION_FACTOR: {{ .Values.kafka.replicationFactor | toString | quote }}
{{- $minInsync := int (default 0 .Values.kafka.minInsyncReplicas) }}
{{- if and (eq $minInsync 0) (ge (int .Values.kafka.replicationFactor) 3) }}{{ $minInsync = 2 }}{{ end }}
{{- if gt $minInsync (int .Values.kafka.replicationFactor) }}
{{- fail (printf "kafka.minInsyncReplicas %d is above kafka.replicationFactor %v: no write could succeed" $minInsync .Values.kafka.replicationFactor) }}
{{- end }}
{{- if gt $minInsync 0 }}
KAFKA_MIN_INSYNC_REPLICAS: {{ $minInsync | toString | quote }}
{{- end }}
KAFKA_TOPIC_PARTITIONS: {{ default 6 .Values.kafka.topicPartitions | toString | quote }}
{{- with .Values.kafka.topicSuffix }}
KAFKA_TOPIC_SUFFIX: {{ . | quote }}
{{- end }}
PORT: {{ .Values.port | toString | quote }}
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
{{- /* audit-projector's ops API reaches oracle-poller (sync, backfill) and fusion-writer (waiting receivables) through their Services. */}}
{{- if not (hasKey .Values.config.extraEnv "OPS_ORACLE_POLLER_URL") }}
OPS_ORACLE_POLLER_URL: {{ printf "http://%s-oracle-poller:%v" (include "ml-connector.fullname" .) .Values.service.port | quote }}
{{- end }}
{{- /* Where ShipBob and Shopify deliver webhooks (mlc webhooks subscribe, doctor): the Ingress's first host, unless set in config.extraEnv. */}}
{{- if and .Values.ingress.enabled (not (hasKey .Values.config.extraEnv "MLC_WEBHOOK_BASE_URL")) }}
MLC_WEBHOOK_BASE_URL: {{ printf "%s://%s" (ternary "https" "http" (gt (len .Values.ingress.tls) 0)) (index .Values.ingress.hosts 0).host | quote }}
{{- end }}
{{- if not (hasKey .Values.config.extraEnv "OPS_FUSION_WRITER_URL") }}
OPS_FUSION_WRITER_URL: {{ printf "http://%s-fusion-writer:%v" (include "ml-connector.fullname" .) .Values.service.port | quote }}
{{- end }}
{{- with .Values.config.otelExporterOtlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- range $k, $v := .Values.config.extraEnv }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{/* Secret data (base64) when the chart owns the Secret. */}}
{{- define "ml-connector.secretData" -}}
DATABASE_URL: {{ required "secrets.databaseUrl is required unless secrets.existingSecret is set" .Values.secrets.databaseUrl | b64enc | quote }}
MLC_ENCRYPTION_KEYS: {{ required "secrets.encryptionKeys is required unless secrets.existingSecret is set" .Values.secrets.encryptionKeys | b64enc | quote }}
{{- with .Values.secrets.operatorApiKeys }}
MLC_OPERATOR_API_KEYS: {{ . | b64enc | quote }}
{{- end }}
{{- if .Values.kafka.sasl.mechanism }}
KAFKA_SASL_PASSWORD: {{ required "secrets.kafkaSaslPassword is required when kafka.sasl.mechanism is set" .Values.secrets.kafkaSaslPassword | b64enc | quote }}
{{- end }}
{{- range $k, $v := .Values.secrets.extra }}
{{ $k }}: {{ $v | toString | b64enc | quote }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by Deployments and Jobs. */}}
{{- define "ml-connector.podCommon" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Volumes for a read-only root filesystem: Node and its libraries may still write to /tmp. */}}
{{- define "ml-connector.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end -}}
