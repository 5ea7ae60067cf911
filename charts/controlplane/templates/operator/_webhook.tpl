{{/* What every injection webhook shares. Call with (dict "root" $). */}}
{{- define "controlplane.webhook.common" -}}
clientConfig:
  service:
    name: {{ include "controlplane.operator.fullname" .root }}
    namespace: {{ .root.Release.Namespace }}
    path: /inject
    port: 443
rules:
  - operations: ["CREATE"]
    apiGroups: [""]
    apiVersions: ["v1"]
    resources: ["pods"]
    scope: Namespaced
failurePolicy: {{ .root.Values.webhook.failurePolicy }}
matchPolicy: Equivalent
sideEffects: None
reinvocationPolicy: Never
timeoutSeconds: {{ .root.Values.webhook.timeoutSeconds }}
admissionReviewVersions: ["v1"]
{{- end -}}

{{/* Namespaces never injected, whatever their labels. */}}
{{- define "controlplane.webhook.systemNamespaces" -}}
- key: kubernetes.io/metadata.name
  operator: NotIn
  values: ["kube-system", "kube-public", "kube-node-lease"]
{{- end -}}
