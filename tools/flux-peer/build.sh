#!/usr/bin/env bash
# Builds Flux's source-controller and helm-controller for the benchmark's Flux peer
# (bench/flux-peer.mjs) from the pinned wrapper modules beside this script. One Flux release:
# Flux v2.7 (source-controller v1.7.3, helm-controller v1.4.3); the wrappers carry over the
# replace directives of the upstream go.mod files, so the dependency set is upstream's.
#
# Built only when the benchmark runs (never by tools/setup.sh or CI). Cached like the test
# environment's binaries: ${TESTENV_CACHE:-~/.cache/23ke-testenv}/flux-<component>-<key>/, <key>
# hashing the wrapper's go.mod and go.sum, the Go version, GOOS/GOARCH and RECIPE. A miss builds
# into a temporary directory renamed into place, so an interrupted build leaves no half entry.
# Builds with `nice -n 10 go build -p 1` (FLUX_PEER_BUILD_JOBS=N for more): the machine is shared.
#
# Prints, as its last line, the directory holding the binaries and the CRD directories:
#   bin=<dir>/bin crds=<dir>/crds  (one line, space-separated, for the benchmark to parse)
#
# Usage: tools/flux-peer/build.sh
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${TESTENV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/23ke-testenv}
RECIPE=1

command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
if ! command -v go >/dev/null 2>&1; then
  echo "flux-peer: the Go toolchain is missing (need go >= 1.25 on PATH, e.g. /usr/local/go/bin)" >&2
  exit 2
fi
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -modcacherw"
gover=$(go env GOVERSION)

# component -> its module (the wrapper pins the version)
module() {
  case "$1" in
    source-controller) echo github.com/fluxcd/source-controller ;;
    helm-controller) echo github.com/fluxcd/helm-controller ;;
  esac
}

out="$cache/flux-peer-$(cat "$here"/*/go.mod "$here"/*/go.sum <(echo "$RECIPE $gover $(go env GOOS)/$(go env GOARCH)") | sha256sum | cut -c1-16)"
if [ -f "$out/.complete" ]; then
  echo "flux-peer: cached ($out)" >&2
else
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/.flux-peer.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/bin" "$tmp/crds"
  for comp in source-controller helm-controller; do
    mod=$(module "$comp")
    echo "flux-peer: building $comp ($(cd "$here/$comp" && go list -m -f '{{.Version}}' "$mod")) into $out" >&2
    start=$(date +%s)
    if ! (cd "$here/$comp" && nice -n 10 go build -p "${FLUX_PEER_BUILD_JOBS:-1}" -trimpath -ldflags "-s -w" -o "$tmp/bin/$comp" "$mod") >"$tmp/$comp.log" 2>&1; then
      echo "flux-peer: building $comp failed:" >&2
      tail -n 20 "$tmp/$comp.log" >&2
      exit 1
    fi
    rm -f "$tmp/$comp.log"
    # The CRDs are generated YAML inside the pinned module: copied, not committed.
    cp "$(cd "$here/$comp" && go list -m -f '{{.Dir}}' "$mod")"/config/crd/bases/*.yaml "$tmp/crds/"
    echo "flux-peer: built $comp in $(( $(date +%s) - start ))s" >&2
  done
  touch "$tmp/.complete"
  rm -rf "$out"
  mv "$tmp" "$out"
  trap - EXIT
fi
echo "bin=$out/bin crds=$out/crds"
