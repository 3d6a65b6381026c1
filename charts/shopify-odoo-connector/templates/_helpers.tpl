{{/* The chart's name, or nameOverride: the app.kubernetes.io/name of the pods. */}}
{{- define "connector.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 58 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name, used for every object of the chart; fullnameOverride replaces it. */}}
{{- define "connector.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "connector.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "connector.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "connector.selectorLabels" -}}
app.kubernetes.io/name: {{ include "connector.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The labels of every object: the chart's, then commonLabels. */}}
{{- define "connector.labels" -}}
{{ include "connector.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The manager's image: by digest when one is given, else by tag. */}}
{{- define "connector.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}
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
app.kubernetes.io/name: {{ include "connector.name" .root }}-shard
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
