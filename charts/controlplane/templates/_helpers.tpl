{{/*
Names. Component names append a suffix of at most 17 characters, so the base is cut to 46.
*/}}
{{- define "controlplane.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "controlplane.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 46 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 46 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 46 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "controlplane.xdsServer.fullname" -}}
{{- printf "%s-xds-server" (include "controlplane.fullname" .) -}}
{{- end -}}

{{- define "controlplane.operator.fullname" -}}
{{- printf "%s-operator" (include "controlplane.fullname" .) -}}
{{- end -}}

{{/* The MutatingWebhookConfiguration (cluster-scoped, so it carries the release's full name). */}}
{{- define "controlplane.webhook.configName" -}}
{{- printf "%s-sidecar-injector" (include "controlplane.fullname" .) -}}
{{- end -}}

{{/* The Secret the operator serves the webhook with: the provided one, or the one it generates. */}}
{{- define "controlplane.webhook.certSecret" -}}
{{- default (printf "%s-webhook-cert" (include "controlplane.fullname" .)) .Values.webhook.certSecret -}}
{{- end -}}

{{- define "controlplane.xdsServer.serviceAccountName" -}}
{{- if .Values.xdsServer.serviceAccount.create -}}
{{- default (include "controlplane.xdsServer.fullname" .) .Values.xdsServer.serviceAccount.name -}}
{{- else -}}
{{- required "xdsServer.serviceAccount.name is required when xdsServer.serviceAccount.create is false" .Values.xdsServer.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "controlplane.operator.serviceAccountName" -}}
{{- if .Values.operator.serviceAccount.create -}}
{{- default (include "controlplane.operator.fullname" .) .Values.operator.serviceAccount.name -}}
{{- else -}}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The xds-server's in-cluster ADS address, as the operator hands it to injected proxies. */}}
{{- define "controlplane.discoveryAddress" -}}
{{- printf "%s.%s.svc:15010" (include "controlplane.xdsServer.fullname" .) .Release.Namespace -}}
{{- end -}}

{{/*
Image reference. Call with (dict "root" $ "image" .Values.<component>.image).
*/}}
{{- define "controlplane.image" -}}
{{- $hub := default .root.Values.image.hub .image.hub -}}
{{- $tag := default .root.Chart.AppVersion (default .root.Values.image.tag .image.tag) -}}
{{- if $hub -}}
{{- printf "%s/%s:%s" (trimSuffix "/" $hub) .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "controlplane.imagePullPolicy" -}}
{{- default .root.Values.image.pullPolicy .image.pullPolicy -}}
{{- end -}}

{{/* Labels. Call with (dict "root" $ "component" "xds-server"). */}}
{{- define "controlplane.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "controlplane.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "controlplane.name" .root }}
istio.io/rev: {{ .root.Values.revision }}
{{- end -}}

{{- define "controlplane.selectorLabels" -}}
app.kubernetes.io/name: {{ include "controlplane.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{/* Checks across values that the schema cannot express. */}}
{{- define "controlplane.validate" -}}
{{- if gt (int .Values.xdsServer.debounce.afterMs) (int .Values.xdsServer.debounce.maxMs) -}}
{{- fail (printf "xdsServer.debounce.afterMs (%v) must not exceed xdsServer.debounce.maxMs (%v)" .Values.xdsServer.debounce.afterMs .Values.xdsServer.debounce.maxMs) -}}
{{- end -}}
{{- end -}}
