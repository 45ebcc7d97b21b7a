{{- /* A cert-manager Certificate issued by gardener-ca. Arguments (dict): root, name, secretName,
usages, dnsNames, commonName, organizations, privateKey. */ -}}
{{- define "certificates.certificate" -}}
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {{ .name }}
  namespace: {{ .root.Values.systemNamespace }}
  labels:
    app.kubernetes.io/name: certificates
    app.kubernetes.io/managed-by: {{ .root.Release.Service }}
spec:
  secretName: {{ .secretName }}
  duration: {{ .root.Values.duration }}
  {{- with .commonName }}
  commonName: {{ . | quote }}
  {{- end }}
  {{- with .organizations }}
  subject:
    organizations:
      {{- toYaml . | nindent 6 }}
  {{- end }}
  {{- with .dnsNames }}
  dnsNames:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .privateKey }}
  privateKey:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  usages:
    {{- toYaml .usages | nindent 4 }}
  issuerRef:
    name: gardener-ca
    kind: Issuer
    group: cert-manager.io
{{- end }}

{{- /* name, name.<ns>, name.<ns>.svc for each of .names */ -}}
{{- define "certificates.serviceNames" -}}
{{- $out := list }}
{{- range .names }}
{{- $out = concat $out (list . (printf "%s.%s" . $.ns) (printf "%s.%s.svc" . $.ns)) }}
{{- end }}
{{- toYaml $out }}
{{- end }}
