#!/usr/bin/env bash
# Renders the landscape with the REAL upstream charts instead of the stand-ins, to check that the
# values 23ke computes fit them (ADR 0005). The charts are not part of this repository: give a
# directory holding them unpacked, one chart per folder (for catalog 1.86: `helmcharts/` of the
# 23KE repository at its last commit), e.g.
#
#   bash tools/check-real-charts.sh /path/to/helmcharts [23ke-config.yaml] [config-repo-dir]
#
# It packages them into a local chart repository (helm package + helm repo index) and runs
# `23ke template --chart-mirror '*=<that repository>'` for every component, writing one file per
# component; a chart that rejects or fails on 23ke's values makes it exit non-zero with helm's
# message. Needs the project built (bash tools/setup.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
charts="${1:?usage: tools/check-real-charts.sh CHARTS_DIR [CONFIG] [CONFIG_REPO_DIR]}"
config="${2:-$root/examples/23ke-config.yaml}"
repo_dir="${3:-$root/examples/config-repo}"
helm="${HELM_BINARY:-$(command -v helm || echo "$root/tools/testenv/bin/helm")}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HELM_CACHE_HOME="$work/helm/cache" HELM_CONFIG_HOME="$work/helm/config" HELM_DATA_HOME="$work/helm/data"
mkdir -p "$work/repo"
for d in "$charts"/*/; do
  [ -f "$d/Chart.yaml" ] || continue
  "$helm" package "$d" --destination "$work/repo" >/dev/null
done
"$helm" repo index "$work/repo"
echo "packaged $(ls "$work/repo"/*.tgz | wc -l) charts from $charts"

out="${OUT_DIR:-$root/.real-charts-out}"
"$root/bin/23ke" template -f "$config" --values-dir "$repo_dir" --helm "$helm" \
  --chart-mirror "*=$work/repo" --cache-dir "$work/cache" --output-dir "$out"
echo "rendered manifests in $out"
