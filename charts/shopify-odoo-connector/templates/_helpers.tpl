{{/* The release's full name, used for every object of the chart. */}}
{{- define "connector.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "connector.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "connector.labels" -}}
{{ include "connector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "connector.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "connector.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
The pods of one Deployment: the main one (shard "") or a shard's. Shards'
pods have a name of their own, so that no Deployment selects another's pods.
*/}}
{{- define "connector.podSelector" -}}
{{- if .shard -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}-shard
app.kubernetes.io/instance: {{ .root.Release.Name }}
sharding.connector.shopify-odoo.dev/key: {{ .shard }}
{{- else -}}
{{ include "connector.selectorLabels" .root }}
{{- end -}}
{{- end -}}

{{/* The Deployment of one shard, "" for the main one. */}}
{{- define "connector.deploymentName" -}}
{{- if .shard -}}
{{- printf "%s-%s" (include "connector.fullname" .root) .shard | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- include "connector.fullname" .root -}}
{{- end -}}
{{- end -}}
