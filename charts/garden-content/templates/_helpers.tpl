{{- define "garden-content.labels" -}}
app.kubernetes.io/name: garden-content
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- /* A default- or internal-domain Secret (dict): root, role, d ({domain, provider, credentials, zone}). */ -}}
{{- define "garden-content.domainSecret" -}}
apiVersion: v1
kind: Secret
metadata:
  name: {{ .role }}-{{ .d.domain | replace "." "-" }}
  namespace: {{ .root.Values.gardenNamespace }}
  labels:
    {{- include "garden-content.labels" .root | nindent 4 }}
    gardener.cloud/role: {{ .role }}
  annotations:
    dns.gardener.cloud/provider: {{ .d.provider | quote }}
    dns.gardener.cloud/domain: {{ .d.domain | quote }}
    {{- with .d.zone }}
    dns.gardener.cloud/zone: {{ . | quote }}
    {{- end }}
type: Opaque
data:
  {{- with .d.credentials }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
