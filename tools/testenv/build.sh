#!/usr/bin/env bash
# Builds the test environment's binaries (kube-apiserver, kube-controller-manager, kube-scheduler,
# etcd, kwok, helm, the CNCF Distribution registry) from the pinned wrapper modules beside this script.
#
# Each component is cached under ${TESTENV_CACHE:-~/.cache/23ke-testenv}/<component>-<key>/, where
# <key> hashes everything that determines the binary: the wrapper's go.mod and go.sum, the Go
# version, GOOS/GOARCH, the packages, tags and ldflags, and RECIPE (bump it when the way a
# component is built changes in a way none of those show). A hit skips the build; a miss builds into a
# temporary directory that is renamed into place, so an interrupted build never leaves a half
# cache entry. Finally tools/testenv/bin/ gets a symlink per binary.
#
# Usage: tools/testenv/build.sh [component ...]   (default: all of kube etcd kwok helm registry)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/23ke-testenv}
bin="$here/bin"

RECIPE=1
KUBE_VERSION=v1.36.3
HELM_VERSION=v4.2.4

if ! command -v go >/dev/null 2>&1; then
  echo "testenv: the Go toolchain is missing (need go >= 1.26 on PATH, e.g. /usr/local/go/bin)" >&2
  exit 2
fi
gover=$(GOTOOLCHAIN=local go env GOVERSION)
case "$gover" in
  go1.2[6-9]*|go1.[3-9]*) ;;
  *) echo "testenv: $gover is too old; the pinned modules need go >= 1.26" >&2; exit 2 ;;
esac

export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw"

kube_ldflags() {
  local minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
  local f="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    f="$f -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    f="$f -X $p.gitCommit=0000000000000000000000000000000000000000 -X $p.gitTreeState=clean"
    f="$f -X $p.buildDate=2000-01-01T00:00:00Z"
  done
  echo "$f"
}
helm_ldflags() {
  echo "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean"
}

# component -> "packages|ldflags|tags"
spec() {
  case "$1" in
    kube) echo "k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler|$(kube_ldflags)|selinux,notest,grpcnotrace" ;;
    etcd) echo "go.etcd.io/etcd/server/v3|-s -w|" ;;
    kwok) echo "sigs.k8s.io/kwok/cmd/kwok|-s -w|" ;;
    helm) echo "helm.sh/helm/v4/cmd/helm|$(helm_ldflags)|" ;;
    registry) echo "github.com/distribution/distribution/v3/cmd/registry|-s -w|" ;;
    *) echo "testenv: unknown component '$1' (known: kube etcd kwok helm registry)" >&2; return 2 ;;
  esac
}

kwok_stages() {
  local dir f
  dir=$(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
  for f in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
           pod/fast/pod-ready.yaml pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
    cat "$dir/kustomize/stage/$f"; echo "---"
  done
}

build_one() {
  local comp=$1 s pkgs ldflags tags key dir tmp start
  s=$(spec "$comp")
  IFS='|' read -r pkgs ldflags tags <<<"$s"
  key=$(cat "$here/$comp/go.mod" "$here/$comp/go.sum" \
        <(echo "$RECIPE $gover $(go env GOOS)/$(go env GOARCH) $s") | sha256sum | cut -c1-16)
  dir="$cache/$comp-$key"
  if [ -f "$dir/.complete" ]; then
    echo "testenv: $comp cached ($dir)"
  else
    echo "testenv: building $comp ($pkgs) into $dir"
    start=$(date +%s)
    mkdir -p "$cache"
    tmp=$(mktemp -d "$cache/.$comp-$key.XXXXXX")
    # shellcheck disable=SC2086
    if ! (cd "$here/$comp" && go build -trimpath ${tags:+-tags "$tags"} -ldflags "$ldflags" -o "$tmp/" $pkgs) >"$tmp.log" 2>&1; then
      echo "testenv: building $comp failed; log: $tmp.log" >&2
      tail -n 20 "$tmp.log" >&2
      rm -rf "$tmp"
      return 1
    fi
    # The etcd server module's main package is named after its import path ("server").
    if [ "$comp" = etcd ]; then for n in v3 server; do if [ -f "$tmp/$n" ]; then mv "$tmp/$n" "$tmp/etcd"; fi; done; fi
    # kwok 0.8 has no built-in stages: take the ones kwokctl uses from the pinned module.
    if [ "$comp" = kwok ]; then kwok_stages >"$tmp/kwok-stages.yaml"; fi
    touch "$tmp/.complete"
    rm -rf "$dir" "$tmp.log"
    mv "$tmp" "$dir"
    echo "testenv: built $comp in $(( $(date +%s) - start ))s"
  fi
  mkdir -p "$bin"
  local f
  for f in "$dir"/*; do ln -sfn "$f" "$bin/$(basename "$f")"; done
}

comps=("$@")
[ ${#comps[@]} -gt 0 ] || comps=(kube etcd kwok helm registry)
for c in "${comps[@]}"; do build_one "$c"; done
echo "testenv: binaries in $bin"
