{{/* Chart name, overridable. */}}
{{- define "autocloser.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Release-qualified name. Suffixes such as "-worker" and "-migrate" are added to
it, so it is cut to leave room for them within the 63-character name limit.
*/}}
{{- define "autocloser.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "autocloser.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels on every object. */}}
{{- define "autocloser.labels" -}}
helm.sh/chart: {{ include "autocloser.chart" . }}
{{ include "autocloser.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: autocloser
{{- end }}

{{- define "autocloser.selectorLabels" -}}
app.kubernetes.io/name: {{ include "autocloser.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Selector of one role's pods: (list $ "api"). */}}
{{- define "autocloser.roleSelectorLabels" -}}
{{- $ := index . 0 -}}
{{ include "autocloser.selectorLabels" $ }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "autocloser.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* The Secret the processes read: the operator's own, or the chart's. */}}
{{- define "autocloser.secretName" -}}
{{- default (include "autocloser.fullname" .) .Values.secrets.existingSecret }}
{{- end }}

{{/*
The Secret the migrate hook reads. Hooks run before the release's own objects
exist, so on a first install the chart's Secret is not there yet: the hook gets
a copy of it, created just before the Job and deleted after it succeeds.
*/}}
{{- define "autocloser.migrateSecretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "autocloser.fullname" .) }}
{{- end }}
{{- end }}

{{/* Where an mTLS client certificate for Temporal is mounted. */}}
{{- define "autocloser.temporalTlsDir" -}}
/etc/autocloser/temporal-tls
{{- end }}

{{/* The settings of the ConfigMap (and of the migrate hook's copy). */}}
{{- define "autocloser.configData" -}}
NODE_ENV: production
LOG_LEVEL: {{ .Values.config.logLevel | quote }}
PORT: {{ .Values.api.port | quote }}
PUBLIC_BASE_URL: {{ .Values.config.publicBaseUrl | quote }}
# One proxy hop (the ingress controller) in front of the API: client addresses for rate limits.
TRUST_PROXY: "true"
# The root filesystem is read-only; anything the processes write goes to this emptyDir.
DATA_DIR: /data
TEMPORAL_ADDRESS: {{ .Values.temporal.address | quote }}
TEMPORAL_NAMESPACE: {{ .Values.temporal.namespace | quote }}
TEMPORAL_TASK_QUEUE: {{ .Values.temporal.taskQueue | quote }}
{{- with .Values.temporal.uiUrl }}
TEMPORAL_UI_URL: {{ . | quote }}
{{- end }}
{{- if .Values.temporal.tls.enabled }}
TEMPORAL_TLS_CERT_PATH: {{ printf "%s/tls.crt" (include "autocloser.temporalTlsDir" .) | quote }}
TEMPORAL_TLS_KEY_PATH: {{ printf "%s/tls.key" (include "autocloser.temporalTlsDir" .) | quote }}
{{- end }}
WORKER_MAX_CACHED_WORKFLOWS: {{ .Values.worker.maxCachedWorkflows | quote }}
WORKER_HEALTH_PORT: {{ .Values.worker.healthPort | quote }}
WORKER_METRICS_PORT: {{ .Values.worker.metricsPort | quote }}
{{- range $key, $value := .Values.config.extraEnv }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/*
Pod-spec parts shared by the API, the worker and the migrate Job: (list $ "api").
*/}}
{{- define "autocloser.podCommon" -}}
{{- $ := index . 0 -}}
{{- with $.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $.Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
automountServiceAccountToken: false
securityContext:
  {{- toYaml $.Values.podSecurityContext | nindent 2 }}
{{- end }}

{{/* Volumes every pod mounts: a writable /tmp and /data, and the Temporal client certificate. */}}
{{- define "autocloser.volumes" -}}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
  - name: data
    emptyDir:
      sizeLimit: 1Gi
  {{- if .Values.temporal.tls.enabled }}
  - name: temporal-tls
    secret:
      secretName: {{ required "temporal.tls.secretName is required when temporal.tls.enabled" .Values.temporal.tls.secretName }}
      # 0440: owner and group read only (decimal here, since YAML 1.1 and 1.2 read a leading 0 differently).
      defaultMode: 288
  {{- end }}
{{- end }}

{{- define "autocloser.volumeMounts" -}}
volumeMounts:
  - name: tmp
    mountPath: /tmp
  - name: data
    mountPath: /data
  {{- if .Values.temporal.tls.enabled }}
  - name: temporal-tls
    mountPath: {{ include "autocloser.temporalTlsDir" . }}
    readOnly: true
  {{- end }}
{{- end }}

{{/* Spread a role's pods over nodes: (list $ "api"). */}}
{{- define "autocloser.topologySpread" -}}
{{- $ := index . 0 -}}
{{- if $.Values.topologySpread.enabled }}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: {{ $.Values.topologySpread.topologyKey }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "autocloser.roleSelectorLabels" . | nindent 8 }}
{{- end }}
{{- end }}

{{/* Egress every pod of the chart needs: DNS, Postgres, Temporal, the providers. */}}
{{- define "autocloser.egressRules" -}}
- to:
    {{- toYaml .Values.networkPolicy.dns.to | nindent 4 }}
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
- ports:
    - protocol: TCP
      port: {{ .Values.networkPolicy.postgres.port }}
  {{- with .Values.networkPolicy.postgres.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
- ports:
    - protocol: TCP
      port: {{ .Values.networkPolicy.temporal.port }}
  {{- with .Values.networkPolicy.temporal.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
- ports:
    {{- range .Values.networkPolicy.providers.ports }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
  {{- with .Values.networkPolicy.providers.to }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- with .Values.networkPolicy.extraEgress }}
{{ toYaml . }}
{{- end }}
{{- end }}
