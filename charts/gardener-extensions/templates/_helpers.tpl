{{- define "gardener-extensions.labels" -}}
app.kubernetes.io/name: gardener-extensions
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- /* An OCI chart reference (dict): repository, chart, version, extra (ociRepository fields).
The extension charts are tagged with the release version, "v" included; a version written
without it (as 23KE's extensions-values pinned them) gets it. */ -}}
{{- define "gardener-extensions.ociRepository" -}}
{{- $v := toString .version -}}
{{- if not (hasPrefix "v" $v) }}{{ $v = printf "v%s" $v }}{{ end -}}
{{- $oci := dict "ref" (printf "%s/%s:%s" (trimSuffix "/" .repository) .chart $v) -}}
{{- toYaml (merge $oci (deepCopy (.extra | default dict))) -}}
{{- end }}

{{- /* An operator.gardener.cloud Extension (dict): root, name, e (the extension's entry),
repository, extra (ociRepository fields). The garden chart has the same template (for
the provider extensions it renders): keep them alike. */ -}}
{{- define "gardener-extensions.extension" -}}
{{- $e := .e -}}
{{- if not $e.version }}{{ fail (printf "extension %s: no version (set extensions.%s.version)" .name .name) }}{{ end -}}
{{- if not $e.resources }}{{ fail (printf "extension %s: no resources (set extensions.%s.resources: the kinds and types it serves, see its example/extension.yaml)" .name .name) }}{{ end -}}
{{- $resources := list -}}
{{- range $e.resources -}}
{{- $r := deepCopy . -}}
{{- /* 23KE's globallyEnabled (ControllerRegistration resources[].globallyEnabled) is the
operator's autoEnable: [shoot] of an Extension-kind resource that shoots can use (the operator
refuses autoEnable for a cluster type outside clusterCompatibility). */ -}}
{{- $forShoots := or (not (hasKey $r "clusterCompatibility")) (has "shoot" ($r.clusterCompatibility | default list)) -}}
{{- if and (eq $r.kind "Extension") (hasKey $e "globallyEnabled") $forShoots -}}
{{- $auto := without ($r.autoEnable | default list) "shoot" -}}
{{- if $e.globallyEnabled }}{{ $auto = append $auto "shoot" }}{{ end -}}
{{- if $auto }}{{ $_ := set $r "autoEnable" $auto }}{{ else }}{{ $_ := unset $r "autoEnable" }}{{ end -}}
{{- end -}}
{{- $resources = append $resources $r -}}
{{- end -}}
apiVersion: operator.gardener.cloud/v1alpha1
kind: Extension
metadata:
  name: {{ .name }}
  labels:
    {{- include "gardener-extensions.labels" .root | nindent 4 }}
  {{- with $e.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  resources:
    {{- toYaml $resources | nindent 4 }}
  deployment:
    extension:
      helm:
        ociRepository:
          {{- include "gardener-extensions.ociRepository" (dict "repository" .repository "chart" ($e.chart | default .name) "version" $e.version "extra" .extra) | nindent 10 }}
      {{- with $e.values }}
      values:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $e.runtimeClusterValues }}
      runtimeClusterValues:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- if hasKey $e "injectGardenKubeconfig" }}
      injectGardenKubeconfig: {{ $e.injectGardenKubeconfig }}
      {{- end }}
      {{- with $e.policy }}
      policy: {{ . }}
      {{- end }}
    {{- $a := $e.admission | default dict }}
    {{- if and $a.enabled (or $a.runtimeChart $a.applicationChart) }}
    admission:
      {{- with $a.runtimeChart }}
      runtimeCluster:
        helm:
          ociRepository:
            {{- include "gardener-extensions.ociRepository" (dict "repository" $.repository "chart" . "version" $e.version "extra" $.extra) | nindent 12 }}
      {{- end }}
      {{- with $a.applicationChart }}
      virtualCluster:
        helm:
          ociRepository:
            {{- include "gardener-extensions.ociRepository" (dict "repository" $.repository "chart" . "version" $e.version "extra" $.extra) | nindent 12 }}
      {{- end }}
      {{- with $a.values }}
      values:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
{{- end }}

{{- /* Deep merge of dict src into dict dst (in place): maps merge, everything else (false
included, unlike sprig's mergeOverwrite) replaces. */ -}}
{{- define "gardener-extensions.merge" -}}
{{- $dst := .dst -}}
{{- range $k, $v := .src -}}
{{- if and (kindIs "map" $v) (kindIs "map" (index $dst $k)) -}}
{{- include "gardener-extensions.merge" (dict "dst" (index $dst $k) "src" $v) -}}
{{- else -}}
{{- $_ := set $dst $k $v -}}
{{- end -}}
{{- end -}}
{{- end }}
