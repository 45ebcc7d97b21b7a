{{- define "initial-seed.labels" -}}
app.kubernetes.io/name: initial-seed
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- /* The Secret of an internal/default domain (dict): root, role, d. A domain without its own
credentials uses the DNS provider's Secret. */ -}}
{{- define "initial-seed.domainSecretName" -}}
{{- if .d.credentials -}}
{{ .root.Values.name }}-{{ .role }}-domain-{{ .d.domain | replace "." "-" }}
{{- else -}}
{{ .root.Values.seed.dns.secretName }}
{{- end -}}
{{- end }}

{{- /* Deep merge of dict src into dict dst (in place): maps merge, everything else (false and
empty values included, unlike sprig's mergeOverwrite) replaces. */ -}}
{{- define "initial-seed.merge" -}}
{{- $dst := .dst -}}
{{- range $k, $v := .src -}}
{{- if and (kindIs "map" $v) (kindIs "map" (index $dst $k)) -}}
{{- include "initial-seed.merge" (dict "dst" (index $dst $k) "src" $v) -}}
{{- else -}}
{{- $_ := set $dst $k $v -}}
{{- end -}}
{{- end -}}
{{- end }}
