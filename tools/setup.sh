#!/usr/bin/env bash
# Sets up a checkout on a fresh machine (idempotent, fast when nothing changed):
# Debian packages, npm packages (which pin Node 24 LTS into node_modules/.bin), the
# test-environment binaries built from pinned Go modules (cached by input hash), and the build.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"

bash .ci/install-deps.sh

stamp=node_modules/.23ke-lock-hash
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
export PATH="$PWD/node_modules/.bin:$PATH"
bash tools/testenv/build.sh
npm run build --silent
